namespace Integrator.Api.Hosting;

/// <summary>What <c>--help</c> prints.</summary>
internal static class Usage
{
    public const string Text = """
        Integrator: the integrator side of Google Standard Payments (redirect-payment-token-v1).

        Usage:
          dotnet Integrator.Api.dll [--urls URL] [--Section:Key=value …]   run the server
          dotnet Integrator.Api.dll keygen --name "…" [--out DIR]          make a key pair of ours (see keygen --help)
          dotnet Integrator.Api.dll --help                                  this text

        Settings come from appsettings.json, appsettings.{Environment}.json, environment variables (Section__Key) and the
        command line. The environment is ASPNETCORE_ENVIRONMENT (Production when unset; `dotnet run` defaults to
        Development). Required outside Development:
          Gsp:PaymentIntegratorAccountIds:0          the paymentIntegratorAccountIds served
          MessageSecurity:Pgp:PrivateKeyFiles:0      our armored secret key (keygen makes one)
          MessageSecurity:Pgp:Passphrase             its passphrase (from the environment, not a file)
          MessageSecurity:Pgp:GooglePublicKeyFiles:0 Google's armored public key
          MessageSecurity:Pgp:GoogleKeyFingerprints:0  Google's primary key fingerprint, from the key exchange
          Google:BaseUrl                             https://vgw.googleapis.com/gsp (or the sandbox)
          Storage:Provider, Storage:ConnectionString Sqlite (default: data/integrator.{environment}.db), Postgres, SqlServer
          Support:ApiKeys:0:Name, Support:ApiKeys:0:Key   who may use /support/v1
        Console sign-in through the organisation's OpenID Connect provider: Console:Oidc:Authority, ClientId,
        ClientSecret, RoleClaim, OperatorValues, ViewerValues (README "Sign-in with your identity provider").
        README.md "Configuration" lists every setting; an unknown key under an Integrator section is an error.
        """;
}
