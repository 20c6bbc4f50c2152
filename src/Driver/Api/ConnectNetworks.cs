using Kvm.Driver.Networks;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>org.libvirt.Connect's network factory, listing and lookup methods, over the driver core's networks.</summary>
internal static class ConnectNetworks
{
    /// <summary>Answers the call when it is one of these methods; false otherwise.</summary>
    public static bool TryCall(NetworkManager networks, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("ListNetworks", "u"):
                Replies.ObjectPaths(context, NetworkListFilter.List(networks, args.ReadUInt32()).Select(n => LibvirtPaths.Network(n.Uuid)));
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
}
