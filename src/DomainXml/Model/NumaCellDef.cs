namespace Kvm.DomainXml.Model;

/// <summary>How a NUMA cell's memory is mapped (<c>memAccess</c>).</summary>
public enum NumaMemAccess
{
    Shared,
    Private,
}

/// <summary>A guest NUMA cell (<c>&lt;numa&gt;&lt;cell id cpus memory unit&gt;</c>), its memory in KiB.</summary>
public sealed record NumaCellDef
{
    public required uint Id { get; init; }

    /// <summary>The vCPUs of the cell; empty for a memory-only cell.</summary>
    public IReadOnlySet<int> Cpus { get; init; } = new SortedSet<int>();

    public required ulong MemoryKiB { get; init; }

    public NumaMemAccess? MemAccess { get; init; }

    public bool? Discard { get; init; }
}
