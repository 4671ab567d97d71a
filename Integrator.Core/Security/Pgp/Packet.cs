namespace Integrator.Core.Security.Pgp;

internal readonly record struct Packet(int Tag, ReadOnlyMemory<byte> Body);
