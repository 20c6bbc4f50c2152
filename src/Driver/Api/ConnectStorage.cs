using Kvm.Driver.Pools;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>org.libvirt.Connect's storage pool and volume factory, listing and lookup methods, over the driver core's pools.</summary>
internal static class ConnectStorage
{
    // virConnectListAllStoragePoolsFlags: state, persistence, autostart, then one bit per pool type from DIR (1 << 6) to ISCSI_DIRECT (1 << 19).
    private const uint Inactive = 1, Active = 2, Persistent = 4, Transient = 8, Autostart = 16, NoAutostart = 32, Dir = 64;
    private const uint AllFlags = (1u << 20) - 1;
    private const uint TypeFlags = AllFlags & ~63u;

    /// <summary>Answers the call when it is one of these methods; false otherwise.</summary>
    public static bool TryCall(StoragePoolManager pools, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("ListStoragePools", "u"):
                Replies.ObjectPaths(context, List(pools, args.ReadUInt32()).Select(p => LibvirtPaths.StoragePool(p.Uuid)));
                return true;
            case ("StoragePoolDefineXML", "su"):
            {
                string xml = args.ReadString();
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "storagePoolDefineXML");
                Replies.ObjectPath(context, LibvirtPaths.StoragePool(pools.Define(xml).Uuid));
                return true;
            }
            case ("StoragePoolCreateXML", "su"):
            {
                string xml = args.ReadString();
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "storagePoolCreateXML");
                Replies.ObjectPath(context, LibvirtPaths.StoragePool(pools.CreateTransient(xml).Uuid));
                return true;
            }
            case ("StoragePoolLookupByName", "s"):
                Replies.ObjectPath(context, LibvirtPaths.StoragePool(pools.LookupByName(args.ReadString()).Uuid));
                return true;
            case ("StoragePoolLookupByUUID", "s"):
                Replies.ObjectPath(context, LibvirtPaths.StoragePool(pools.LookupByUuid(
                    LibvirtUuid.TryParse(args.ReadString(), out Guid uuid) ? uuid : throw LibvirtErrors.InvalidUuid()).Uuid));
                return true;
            case ("StorageVolLookupByKey", "s"):
                Replies.ObjectPath(context, LibvirtPaths.StorageVol(pools.LookupVolumeByKey(args.ReadString()).Key));
                return true;
            case ("StorageVolLookupByPath", "s"):
                Replies.ObjectPath(context, LibvirtPaths.StorageVol(pools.LookupVolumeByPath(args.ReadString()).Key));
                return true;
            default:
                return false;
        }
    }

    /// <summary>virConnectListAllStoragePools's filters (every kvmd pool is a dir pool).</summary>
    private static IEnumerable<StoragePoolSnapshot> List(StoragePoolManager pools, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, AllFlags, "storageConnectListAllStoragePools");
        return pools.List().Where(p =>
            Pick(flags, Active, Inactive, p.Active) && Pick(flags, Persistent, Transient, p.Persistent) && Pick(flags, Autostart, NoAutostart, p.Autostart)
            && ((flags & TypeFlags) == 0 || (flags & Dir) != 0));
    }

    /// <summary>A pair of filter bits: neither (or both) keeps every pool, one keeps the pools it names.</summary>
    private static bool Pick(uint flags, uint yes, uint no, bool value)
    {
        uint set = flags & (yes | no);
        return set == 0 || set == (yes | no) || (value ? set == yes : set == no);
    }
}
