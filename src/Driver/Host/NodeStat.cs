namespace Kvm.Driver.Host;

/// <summary>One figure of virNodeGetMemoryStats (KiB) or virNodeGetCPUStats (nanoseconds), named as libvirt names it.</summary>
public readonly record struct NodeStat(string Field, ulong Value);
