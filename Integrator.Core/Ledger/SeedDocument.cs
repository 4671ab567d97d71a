using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integrator.Core.Ledger;

/// <summary>The ledger seed file (README "Configuration"): accounts and payment tokens, read strictly.</summary>
public sealed class SeedDocument
{
    public List<SeedAccount> Accounts { get; init; } = [];

    public List<SeedPaymentToken> PaymentTokens { get; init; } = [];
}

public sealed class SeedAccount
{
    public string? AccountId { get; init; }

    public string? CurrencyCode { get; init; }

    public long? BalanceMicros { get; init; }

    public string? Status { get; init; }

    public long? TransactionLimitMicros { get; init; }
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
