using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integrator.Core.Ledger;

// Setters, not init: the JSON source generator sets a missing init-only list to null.

/// <summary>The ledger seed file (README "Configuration"): accounts, payment tokens and customers, read strictly.</summary>
public sealed class SeedDocument
{
    public List<SeedAccount> Accounts { get; set; } = [];

    public List<SeedPaymentToken> PaymentTokens { get; set; } = [];

    public List<SeedCustomer> Customers { get; set; } = [];
}

/// <summary>A customer who may sign in on the redirect page; the passcode is stored only as a salted hash.</summary>
public sealed class SeedCustomer
{
    public string? CustomerId { get; init; }

    public string? Name { get; init; }

    public string? Passcode { get; init; }
}

public sealed class SeedAccount
{
    public string? AccountId { get; init; }

    public string? CurrencyCode { get; init; }

    public long? BalanceMicros { get; init; }

    public string? Status { get; init; }

    public long? TransactionLimitMicros { get; init; }

    /// <summary>The customer who holds the account (optional): the redirect page offers it to them.</summary>
    public string? CustomerId { get; init; }

    /// <summary>With <c>Backend:Provider=Mollie</c>: the Mollie customer and mandate the account's payments are made on.</summary>
    public SeedMollie? Mollie { get; init; }
}

public sealed class SeedMollie
{
    public string? CustomerId { get; init; }

    public string? MandateId { get; init; }
}

public sealed class SeedPaymentToken
{
    public string? GooglePaymentToken { get; init; }

    public string? AccountId { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(SeedDocument))]
internal sealed partial class SeedJsonContext : JsonSerializerContext;
