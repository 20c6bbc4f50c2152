namespace Kvm.Driver.Pools;

/// <summary>virStorageVolGetInfo's type (0 file), capacity and allocation in bytes, and the file's mode, owner and group.</summary>
public sealed record StorageVolInfo(int Type, ulong Capacity, ulong Allocation, uint Mode, uint Owner, uint Group);
