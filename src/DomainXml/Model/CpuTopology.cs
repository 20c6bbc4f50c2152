namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;topology sockets dies clusters cores threads&gt;</c>; dies and clusters are 1 when not given.</summary>
public readonly record struct CpuTopology(uint Sockets, uint Dies, uint Clusters, uint Cores, uint Threads);
