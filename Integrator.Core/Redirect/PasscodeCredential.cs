namespace Integrator.Core.Redirect;

/// <summary>A customer id and passcode typed into the page (the seed's customers: the Development default).</summary>
public sealed record PasscodeCredential(string CustomerId, string Passcode) : CustomerCredential(CustomerId)
{
    /// <summary>Never the passcode, wherever a credential is written out.</summary>
    public override string ToString() => $"passcode for {CustomerId}";
}
