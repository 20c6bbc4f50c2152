namespace Kvm.Driver.Domains;

/// <summary>One interface of a running domain for the net.* statistics: its host device and, when readable, its counters.</summary>
public sealed record DomainInterfaceStats(string Name, InterfaceCounters? Counters);
