using Kvm.Driver.Pools;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.StorageVol for every path below /org/libvirt/QEMU/storagevol: the node is the volume's key encoded as
/// libvirt-dbus encodes it; each call first finds the volume by that key, then acts.
/// </summary>
internal sealed class StorageVolObject : ILibvirtObject
{
    private const uint GetPhysical = 1; // VIR_STORAGE_VOL_GET_PHYSICAL

    private readonly StoragePoolManager _pools;

    public StorageVolObject(StoragePoolManager pools) => _pools = pools;

    public LibvirtInterface Interface => LibvirtInterface.StorageVol;

    public VariantValue GetProperty(string path, string name) => Property(Resolve(path), name);

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        StorageVolRef? vol;
        try
        {
            vol = Resolve(path);
        }
        catch (Domains.DomainOperationException)
        {
            return []; // as for a vanished domain: no properties, not an error
        }
        return Interface.Description.Properties.Select(p => new KeyValuePair<string, VariantValue>(p.Name, Property(vol, p.Name))).ToArray();
    }

    public void SetProperty(string path, string name, ref Reader value) =>
        throw new InvalidOperationException($"{Interface.Name} has no writable property {name}");

    public ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        StorageVolRef vol = Resolve(call.Path);
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("Delete", "u"):
                _pools.DeleteVolume(vol.Key, args.ReadUInt32());
                Replies.Empty(context);
                break;
            case ("Resize", "tu"):
            {
                ulong capacity = args.ReadUInt64();
                _pools.ResizeVolume(vol.Key, capacity, args.ReadUInt32());
                Replies.Empty(context);
                break;
            }
            case ("Wipe", "uu"):
            {
                uint pattern = args.ReadUInt32();
                _pools.WipeVolume(vol.Key, pattern, args.ReadUInt32());
                Replies.Empty(context);
                break;
            }
            case ("GetXMLDesc", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "storageVolGetXMLDesc");
                Replies.String(context, _pools.GetVolumeXmlDesc(vol.Key));
                break;
            case ("GetInfo", "u"):
            {
                uint flags = args.ReadUInt32();
                LibvirtErrors.CheckFlags(flags, GetPhysical, "storageVolGetInfoFlags");
                StorageVolInfo info = _pools.GetVolumeInfo(vol.Key);
                MessageWriter writer = context.CreateReplyWriter("(itt)");
                try
                {
                    writer.WriteStructureStart();
                    writer.WriteInt32(info.Type);
                    writer.WriteUInt64(info.Capacity);
                    writer.WriteUInt64((flags & GetPhysical) != 0 ? info.Physical : info.Allocation);
                    context.Reply(writer.CreateMessage());
                }
                finally
                {
                    writer.Dispose();
                }
                break;
            }
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The volume nodes below the subtree root: those of every active pool, for Introspect.</summary>
    public IEnumerable<string> Children(string path) =>
        path == LibvirtPaths.StorageVolRoot
            ? _pools.List().Where(p => p.Active).SelectMany(p => _pools.ListVolumes(p.Uuid)).Select(v => LibvirtPaths.EncodeString(v.Key)).ToArray()
            : [];

    private static VariantValue Property(StorageVolRef vol, string name) => name switch
    {
        "Name" => VariantValue.String(vol.Name),
        "Key" => VariantValue.String(vol.Key),
        "Path" => VariantValue.String(vol.Path),
        _ => throw new ArgumentException($"No property {name} in org.libvirt.StorageVol", nameof(name)),
    };

    private StorageVolRef Resolve(string path)
    {
        string? key = LibvirtPaths.NodeBelow(LibvirtPaths.StorageVolRoot, path) is { Length: > 0 } node ? LibvirtPaths.DecodeString(node) : null;
        return key is null ? throw StorageErrors.NoVolByKey(path) : _pools.LookupVolumeByKey(key);
    }
}
