using Kvm.Driver.Api;

namespace Kvm.Driver.Pools;

/// <summary>
/// virConnectListAllStoragePools's flags: the state pairs of <see cref="LibvirtListFlags"/>, then one bit per pool type
/// from DIR (1 &lt;&lt; 6) to ISCSI_DIRECT (1 &lt;&lt; 19); every kvmd pool is a dir pool. Both front ends list through this one filter.
/// </summary>
public static class StoragePoolListFilter
{
    private const uint Dir = 1 << 6;
    private const uint AllFlags = (1u << 20) - 1;
    private const uint TypeFlags = AllFlags & ~LibvirtListFlags.StatePairs;

    /// <summary>The pools the flags keep, by name; unknown flags fail as storageConnectListAllStoragePools.</summary>
    public static IReadOnlyList<StoragePoolSnapshot> List(StoragePoolManager pools, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, AllFlags, "storageConnectListAllStoragePools");
        bool typeKept = (flags & TypeFlags) == 0 || (flags & Dir) != 0;
        return typeKept ? pools.List().Where(p => LibvirtListFlags.Keeps(flags, p.Active, p.Persistent, p.Autostart)).ToArray() : [];
    }
}
