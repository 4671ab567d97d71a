namespace Integrator.Core.Support;

/// <summary>Who acts: the name of the support key, and the surface used (<see cref="Api"/> or <see cref="Console"/>).</summary>
public sealed record SupportActor(string Name, string Channel = SupportActor.Api)
{
    public const string Api = "api";
    public const string Console = "console";
}
