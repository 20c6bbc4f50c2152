namespace Kvm.Driver.Snapshots;

/// <summary>
/// One <c>&lt;disks&gt;/&lt;disk&gt;</c> of a snapshot (virDomainSnapshotDiskDef): the domain disk's target, where its
/// snapshot goes (<see cref="SnapshotLocation"/> names; null for libvirt's "default", which the driver resolves), and
/// for an external snapshot the overlay's storage type, path and format.
/// </summary>
public sealed record SnapshotDiskDef(string Name, string? Location, string SourceType = "file", string? Source = null, string? DriverType = null)
{
    /// <summary>libvirt writes the storage type (and driver, source) only when the disk names a path or a format.</summary>
    public bool HasStorage => Source is not null || DriverType is not null;
}
