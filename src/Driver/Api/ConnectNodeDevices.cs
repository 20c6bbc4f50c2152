using Kvm.Driver.NodeDevices;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>org.libvirt.Connect's node device listing and lookup, over the driver core's node devices; creation is not supported.</summary>
internal static class ConnectNodeDevices
{
    /// <summary>Answers the call when it is one of these methods; false otherwise (NodeDeviceCreateXML then answers "not supported").</summary>
    public static bool TryCall(NodeDeviceService devices, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("ListNodeDevices", "u"):
                Replies.ObjectPaths(context, devices.List(args.ReadUInt32()).Select(d => LibvirtPaths.NodeDevice(d.Name)));
                return true;
            case ("NodeDeviceLookupByName", "s"):
                Replies.ObjectPath(context, LibvirtPaths.NodeDevice(devices.LookupByName(args.ReadString()).Name));
                return true;
            default:
                return false;
        }
    }
}
