using Kvm.Driver.Pools;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>org.libvirt.Connect's storage pool and volume factory, listing and lookup methods, over the driver core's pools.</summary>
internal static class ConnectStorage
{
    /// <summary>Answers the call when it is one of these methods; false otherwise.</summary>
    public static bool TryCall(StoragePoolManager pools, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("ListStoragePools", "u"):
                Replies.ObjectPaths(context, StoragePoolListFilter.List(pools, args.ReadUInt32()).Select(p => LibvirtPaths.StoragePool(p.Uuid)));
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
}
