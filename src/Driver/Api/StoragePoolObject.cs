using Kvm.Driver.Pools;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.StoragePool for every path below /org/libvirt/QEMU/storagepool, over the driver core's
/// <see cref="StoragePoolManager"/>: each call first finds the pool from its path, then acts; members kvmd does not
/// implement answer libvirt's "not supported" error.
/// </summary>
internal sealed class StoragePoolObject : ILibvirtObject
{
    private readonly StoragePoolManager _pools;

    public StoragePoolObject(StoragePoolManager pools) => _pools = pools;

    public LibvirtInterface Interface => LibvirtInterface.StoragePool;

    public VariantValue GetProperty(string path, string name) => Property(Resolve(path), name);

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        if (!TryDecode(path, out Guid uuid) || !_pools.TryGet(uuid, out StoragePoolSnapshot pool))
        {
            return [];
        }
        return Interface.Description.Properties.Select(p => new KeyValuePair<string, VariantValue>(p.Name, Property(pool, p.Name))).ToArray();
    }

    public void SetProperty(string path, string name, ref Reader value)
    {
        StoragePoolSnapshot pool = Resolve(path);
        switch (name)
        {
            case "Autostart":
                _pools.SetAutostart(pool.Uuid, value.ReadBool());
                break;
            default:
                throw new InvalidOperationException($"{Interface.Name}.{name} is not writable");
        }
    }

    public ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        Guid uuid = Resolve(call.Path).Uuid;
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("Build", "u"):
                _pools.Build(uuid, args.ReadUInt32());
                Replies.Empty(context);
                break;
            case ("Create", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "storagePoolCreate");
                _pools.Start(uuid);
                Replies.Empty(context);
                break;
            case ("Delete", "u"):
                _pools.Delete(uuid, args.ReadUInt32());
                Replies.Empty(context);
                break;
            case ("Destroy", ""):
                _pools.Destroy(uuid);
                Replies.Empty(context);
                break;
            case ("Undefine", ""):
                _pools.Undefine(uuid);
                Replies.Empty(context);
                break;
            case ("Refresh", "u"):
                _pools.Refresh(uuid, args.ReadUInt32());
                Replies.Empty(context);
                break;
            case ("GetInfo", ""):
                WriteInfo(context, _pools.GetInfo(uuid));
                break;
            case ("GetXMLDesc", "u"):
                Replies.String(context, _pools.GetXmlDesc(uuid, args.ReadUInt32()));
                break;
            case ("ListStorageVolumes", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "storagePoolListAllVolumes");
                Replies.ObjectPaths(context, _pools.ListVolumes(uuid).Select(v => LibvirtPaths.StorageVol(v.Key)));
                break;
            case ("StorageVolCreateXML", "su"):
            {
                string xml = args.ReadString();
                Replies.ObjectPath(context, LibvirtPaths.StorageVol(_pools.CreateVolume(uuid, xml, args.ReadUInt32()).Key));
                break;
            }
            case ("StorageVolCreateXMLFrom", "ssu"):
            {
                string xml = args.ReadString();
                string key = args.ReadString();
                Replies.ObjectPath(context, LibvirtPaths.StorageVol(_pools.CreateVolumeFrom(uuid, xml, key, args.ReadUInt32()).Key));
                break;
            }
            case ("StorageVolLookupByName", "s"):
                Replies.ObjectPath(context, LibvirtPaths.StorageVol(_pools.LookupVolumeByName(uuid, args.ReadString()).Key));
                break;
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The pool nodes below the subtree root, for Introspect.</summary>
    public IEnumerable<string> Children(string path) =>
        path == LibvirtPaths.StoragePoolRoot ? _pools.List().Select(p => LibvirtPaths.EncodeUuid(p.Uuid)).ToArray() : [];

    private static void WriteInfo(MethodContext context, StoragePoolInfo info)
    {
        MessageWriter writer = context.CreateReplyWriter("(ittt)");
        try
        {
            writer.WriteStructureStart();
            writer.WriteInt32(info.State);
            writer.WriteUInt64(info.Capacity);
            writer.WriteUInt64(info.Allocation);
            writer.WriteUInt64(info.Available);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private VariantValue Property(StoragePoolSnapshot pool, string name) => name switch
    {
        "Active" => VariantValue.Bool(pool.Active),
        "Autostart" => VariantValue.Bool(pool.Autostart),
        "Name" => VariantValue.String(pool.Name),
        "Persistent" => VariantValue.Bool(pool.Persistent),
        "UUID" => VariantValue.String(LibvirtUuid.Format(pool.Uuid)),
        _ => throw new ArgumentException($"No property {name} in {Interface.Name}", nameof(name)),
    };

    private StoragePoolSnapshot Resolve(string path) =>
        TryDecode(path, out Guid uuid) ? _pools.LookupByUuid(uuid) : throw LibvirtErrors.InvalidUuid();

    private static bool TryDecode(string path, out Guid uuid)
    {
        uuid = Guid.Empty;
        return LibvirtPaths.NodeBelow(LibvirtPaths.StoragePoolRoot, path) is { Length: > 0 } node
            && LibvirtUuid.TryParse(LibvirtPaths.DecodeUuid(node), out uuid);
    }
}
