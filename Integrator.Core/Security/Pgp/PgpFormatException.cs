namespace Integrator.Core.Security.Pgp;

/// <summary>Thrown for any malformed packet; callers turn it into the one answer their layer gives.</summary>
internal sealed class PgpFormatException(string message) : Exception(message);
