namespace Integrator.Core.Ledger;

public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>JSON accounts and payment tokens upserted at startup; relative to the content root.</summary>
    public string? SeedFile { get; set; }

    /// <summary>PBKDF2 iterations for the seed's customer passcodes (<see cref="PasscodeHash"/>).</summary>
    [System.ComponentModel.DataAnnotations.Range(1_000, 10_000_000)]
    public int PasscodeHashIterations { get; set; } = PasscodeHash.DefaultIterations;
}
