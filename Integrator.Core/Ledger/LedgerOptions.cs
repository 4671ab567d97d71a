namespace Integrator.Core.Ledger;

public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>JSON accounts and payment tokens upserted at startup; relative to the content root.</summary>
    public string? SeedFile { get; set; }
}
