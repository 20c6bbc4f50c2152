using Kvm.Driver.Networks;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.Network for every path below /org/libvirt/QEMU/network, over the driver core's
/// <see cref="NetworkManager"/>: each call first finds the network from its path, then acts.
/// </summary>
internal sealed class NetworkObject : ILibvirtObject
{
    private readonly NetworkManager _networks;

    public NetworkObject(NetworkManager networks) => _networks = networks;

    public LibvirtInterface Interface => LibvirtInterface.Network;

    public VariantValue GetProperty(string path, string name) => Property(Resolve(path), name);

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        if (!TryDecode(path, out Guid uuid) || !_networks.TryGet(uuid, out NetworkSnapshot network))
        {
            return [];
        }
        return Interface.Description.Properties.Select(p => new KeyValuePair<string, VariantValue>(p.Name, Property(network, p.Name))).ToArray();
    }

    public void SetProperty(string path, string name, ref Reader value)
    {
        NetworkSnapshot network = Resolve(path);
        switch (name)
        {
            case "Autostart":
                _networks.SetAutostart(network.Uuid, value.ReadBool());
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
            case ("Create", ""):
                _networks.Start(uuid);
                Replies.Empty(context);
                break;
            case ("Destroy", ""):
                _networks.Destroy(uuid);
                Replies.Empty(context);
                break;
            case ("Undefine", ""):
                _networks.Undefine(uuid);
                Replies.Empty(context);
                break;
            case ("GetXMLDesc", "u"):
                Replies.String(context, _networks.GetXmlDesc(uuid, args.ReadUInt32()));
                break;
            case ("GetDHCPLeases", "su"):
            {
                string mac = args.ReadString();
                WriteLeases(context, _networks.GetDhcpLeases(uuid, mac.Length == 0 ? null : mac, args.ReadUInt32()));
                break;
            }
            case ("Update", "uuisu"):
            {
                (uint command, uint section, int parentIndex, string xml, uint flags) = (args.ReadUInt32(), args.ReadUInt32(), args.ReadInt32(), args.ReadString(), args.ReadUInt32());
                _networks.Update(uuid, command, section, parentIndex, xml, flags);
                Replies.Empty(context);
                break;
            }
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The network nodes below the subtree root, for Introspect.</summary>
    public IEnumerable<string> Children(string path) =>
        path == LibvirtPaths.NetworkRoot ? _networks.List().Select(n => LibvirtPaths.EncodeUuid(n.Uuid)).ToArray() : [];

    /// <summary>a(sxisssuss): interface, expiry, type, MAC, IAID, address, prefix, hostname, client id ("" for none).</summary>
    private static void WriteLeases(MethodContext context, IReadOnlyList<DhcpLease> leases)
    {
        MessageWriter writer = context.CreateReplyWriter("a(sxisssuss)");
        try
        {
            ArrayStart array = writer.WriteArrayStart(DBusType.Struct);
            foreach (DhcpLease lease in leases)
            {
                writer.WriteStructureStart();
                writer.WriteString(lease.Interface);
                writer.WriteInt64(lease.ExpiryTime);
                writer.WriteInt32(lease.Type);
                writer.WriteString(lease.Mac);
                writer.WriteString(lease.Iaid);
                writer.WriteString(lease.IpAddress);
                writer.WriteUInt32(lease.Prefix);
                writer.WriteString(lease.Hostname);
                writer.WriteString(lease.ClientId);
            }
            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private VariantValue Property(NetworkSnapshot network, string name) => name switch
    {
        "Active" => VariantValue.Bool(network.Active),
        "Autostart" => VariantValue.Bool(network.Autostart),
        "Name" => VariantValue.String(network.Name),
        "Persistent" => VariantValue.Bool(network.Persistent),
        "UUID" => VariantValue.String(LibvirtUuid.Format(network.Uuid)),
        _ => throw new ArgumentException($"No property {name} in {Interface.Name}", nameof(name)),
    };

    private NetworkSnapshot Resolve(string path) =>
        TryDecode(path, out Guid uuid) ? _networks.LookupByUuid(uuid) : throw LibvirtErrors.InvalidUuid();

    private static bool TryDecode(string path, out Guid uuid)
    {
        uuid = Guid.Empty;
        return LibvirtPaths.NodeBelow(LibvirtPaths.NetworkRoot, path) is { Length: > 0 } node
            && LibvirtUuid.TryParse(LibvirtPaths.DecodeUuid(node), out uuid);
    }
}
