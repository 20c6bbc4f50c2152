using Kvm.Driver.Networks;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>org.libvirt.Connect's network factory, listing and lookup methods, over the driver core's networks.</summary>
internal static class ConnectNetworks
{
    // virConnectListAllNetworksFlags.
    private const uint Inactive = 1, Active = 2, Persistent = 4, Transient = 8, Autostart = 16, NoAutostart = 32;

    /// <summary>Answers the call when it is one of these methods; false otherwise.</summary>
    public static bool TryCall(NetworkManager networks, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("ListNetworks", "u"):
                Replies.ObjectPaths(context, List(networks, args.ReadUInt32()).Select(n => LibvirtPaths.Network(n.Uuid)));
                return true;
            case ("NetworkDefineXML", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Network(networks.Define(args.ReadString()).Uuid));
                return true;
            case ("NetworkCreateXML", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Network(networks.CreateTransient(args.ReadString()).Uuid));
                return true;
            case ("NetworkLookupByName", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Network(networks.LookupByName(args.ReadString()).Uuid));
                return true;
            case ("NetworkLookupByUUID", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Network(networks.LookupByUuid(
                    LibvirtUuid.TryParse(args.ReadString(), out Guid uuid) ? uuid : throw LibvirtErrors.InvalidUuid()).Uuid));
                return true;
            default:
                return false;
        }
    }

    /// <summary>virConnectListAllNetworks's filters: each pair keeps what it names, neither or both keep all.</summary>
    private static IEnumerable<NetworkSnapshot> List(NetworkManager networks, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 63, "networkConnectListAllNetworks");
        return networks.List().Where(n => Pick(flags, Active, Inactive, n.Active) && Pick(flags, Persistent, Transient, n.Persistent)
            && Pick(flags, Autostart, NoAutostart, n.Autostart));
    }

    private static bool Pick(uint flags, uint yes, uint no, bool value)
    {
        uint set = flags & (yes | no);
        return set == 0 || set == (yes | no) || (value ? set == yes : set == no);
    }
}
