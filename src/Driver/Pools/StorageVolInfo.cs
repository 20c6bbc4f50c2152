namespace Kvm.Driver.Pools;

/// <summary>
/// virStorageVolGetInfo's type (0 file), capacity (the guest-visible size: a qcow2 image's virtual size) and
/// allocation (blocks on disk) in bytes; the file's size (physical), format (raw or qcow2), mode, owner, group and times.
/// </summary>
public sealed record StorageVolInfo(int Type, ulong Capacity, ulong Allocation, ulong Physical, string Format, uint Mode, uint Owner, uint Group,
    StorageVolTimestamps? Timestamps = null);
