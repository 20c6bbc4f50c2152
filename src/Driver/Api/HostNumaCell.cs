namespace Kvm.Driver.Api;

/// <summary>A NUMA node of the host: its memory and CPUs.</summary>
public sealed record HostNumaCell(int Id, ulong MemoryKiB, IReadOnlyList<HostCpu> Cpus);
