namespace Integrator.Core.Gsp;

/// <summary>A method's answer waits for this back-end command: the claim and the command are kept, the answer follows the back end's.</summary>
public readonly record struct PendingCommand(string CommandId);
