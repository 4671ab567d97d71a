using Google.Protobuf;
using Integrator.Core.Cancellation;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Redirect;
using Integrator.Core.Refunds;
using Integrator.Core.Remittance;
using Integrator.Core.Reservations;
using Microsoft.Extensions.DependencyInjection;

namespace Integrator.Core.Pipeline;

/// <summary>
/// The Google-facing methods of redirect-payment-token-v1: the one table that the routes, the gateway and the
/// registration read. A new method is its messages in the proto, its handler, and one line here.
/// </summary>
public static class GspEndpoints
{
    public static IServiceCollection AddGspEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<IGspEndpoint, EchoEndpoint>();
        return services
            .Add<ReserveFundsRequest, ReserveFundsResponse, ReserveFundsHandler>()
            .Add<CaptureFundsReservationRequest, CaptureFundsReservationResponse, CaptureFundsHandler>()
            .Add<CancelFundsReservationRequest, CancelFundsReservationResponse, CancelFundsHandler>()
            .Add<RefundRequest, RefundResponse, RefundHandler>()
            .Add<RemittanceStatementNotificationRequest, RemittanceStatementNotificationResponse, StatementNotificationHandler>()
            .Add<GetGeneratePaymentTokenRedirectStatusRequest, GetGeneratePaymentTokenRedirectStatusResponse, RedirectStatusHandler>();
    }

    private static IServiceCollection Add<TRequest, TResponse, THandler>(this IServiceCollection services)
        where TRequest : class, IGspRequest, IMessage<TRequest>, new()
        where TResponse : class, IGspResponse, IMessage<TResponse>, new()
        where THandler : class, IGspMethod<TRequest, TResponse>
    {
        services.AddSingleton<THandler>();
        services.AddSingleton<IGspMethod<TRequest, TResponse>>(sp => sp.GetRequiredService<THandler>());
        services.AddSingleton<IGspEndpoint, GspEndpoint<TRequest, TResponse>>();
        return services;
    }
}
