namespace Kvm.Driver.Api;

/// <summary>One online host CPU and where it sits (sysfs topology).</summary>
public sealed record HostCpu(int Id, int SocketId, int DieId, int CoreId, string Siblings, int Node);
