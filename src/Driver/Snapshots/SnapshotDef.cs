namespace Kvm.Driver.Snapshots;

/// <summary>
/// A domain snapshot's definition (virDomainSnapshotDef): its name, description, the domain's state when it was taken
/// (<c>shutoff</c>, <c>disk-snapshot</c>, ...), its parent's name, creation time (seconds since the epoch), the memory
/// and disk locations, and the domain's inactive definition as it was (<see cref="DomainXml"/>, libvirt's format;
/// null for a snapshot that only names the domain's UUID, as older libvirt wrote them).
/// </summary>
public sealed record SnapshotDef
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>virDomainSnapshotState's name; null only for a definition not yet taken (parsed from a create request).</summary>
    public string? State { get; init; }

    public string? Parent { get; init; }

    public long CreationTime { get; init; }

    /// <summary>&lt;memory snapshot&gt;: no, internal or external; null when the XML gives none.</summary>
    public string? Memory { get; init; }

    public string? MemoryFile { get; init; }

    public IReadOnlyList<SnapshotDiskDef> Disks { get; init; } = [];

    public string? DomainXml { get; init; }

    /// <summary>True when every disk taking part is external (virDomainSnapshotDefIsExternal).</summary>
    public bool IsExternal => Memory == SnapshotLocation.External || Disks.Any(d => d.Location == SnapshotLocation.External);

    /// <summary>True for a snapshot of an inactive or disk-only domain: no memory state (virDomainSnapshotIsOffline).</summary>
    public bool IsInactive => State is "shutoff" or "shutdown" or "crashed" or "disk-snapshot";
}
