namespace Kvm.Driver.Pools;

/// <summary>virStoragePoolGetInfo's figures (bytes) and state (0 inactive, 2 running), and the target's owner and group.</summary>
public sealed record StoragePoolInfo(int State, ulong Capacity, ulong Allocation, ulong Available, long Owner, long Group)
{
    public const int Inactive = 0;    // VIR_STORAGE_POOL_INACTIVE
    public const int Running = 2;     // VIR_STORAGE_POOL_RUNNING
}
