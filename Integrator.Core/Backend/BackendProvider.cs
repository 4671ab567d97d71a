namespace Integrator.Core.Backend;

/// <summary>Where the customers' money lives (README "Account back ends").</summary>
public enum BackendProvider
{
    /// <summary>Integrator's own ledger, changed in the same transaction as the reservation.</summary>
    Embedded,

    /// <summary>The integrator's core, behind the Http contract (docs/backend-http.openapi.yaml).</summary>
    Http,

    /// <summary>Card authorizations at Mollie, through its Payments API.</summary>
    Mollie,
}
