using Kvm.Driver.Domains;
using Kvm.Driver.NodeDevices;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The node device procedures over the driver core's <see cref="NodeDeviceService"/>: listing (all, by capability
/// name, counted), lookup by name, XML, parent and capabilities; destroy is refused as libvirt refuses it for the
/// devices kvmd reports. A remote_nonnull_node_device is just the device's name.
/// </summary>
internal sealed class NodeDeviceProcedures
{
    private const int MaxDevices = 65_536;   // REMOTE_NODE_DEVICE_LIST_MAX
    private const int MaxCaps = 65_536;      // REMOTE_NODE_DEVICE_CAPS_LIST_MAX
    private readonly NodeDeviceService _devices;

    public NodeDeviceProcedures(NodeDeviceService devices)
    {
        _devices = devices;
    }

    public PacketBuffer ListAll(RpcCall call)
    {
        XdrReader args = call.Reader();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        IReadOnlyList<NodeDevice> devices = _devices.List(flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(needResults ? devices.Count : 0, MaxDevices);
        if (needResults)
        {
            foreach (NodeDevice device in devices)
            {
                body.WriteString(device.Name);
            }
        }
        body.WriteUInt32((uint)devices.Count);
        return reply;
    }

    /// <summary>virNodeNumOfDevices: the devices with the named capability (all when null).</summary>
    public PacketBuffer NumOfDevices(RpcCall call)
    {
        XdrReader args = call.Reader();
        string? cap = args.ReadOptionalString();
        Api.LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "nodeNumOfDevices");
        args.EnsureEnd();
        return call.ReplyInt(WithCap(cap).Count());
    }

    public PacketBuffer ListDevices(RpcCall call)
    {
        XdrReader args = call.Reader();
        string? cap = args.ReadOptionalString();
        int max = args.ReadInt32();
        Api.LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "nodeListDevices");
        args.EnsureEnd();
        if (max > MaxDevices)
        {
            throw new DomainOperationException(VirErrorCode.Rpc, $"Too many node devices '{max}' for limit '{MaxDevices}'");
        }
        string[] names = WithCap(cap).Select(d => d.Name).Take(Math.Max(0, max)).ToArray();
        return Strings(call, names, MaxDevices);
    }

    public PacketBuffer LookupByName(RpcCall call)
    {
        string name = ReadName(call);
        return call.ReplyString(_devices.LookupByName(name).Name);
    }

    public PacketBuffer GetXmlDesc(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = args.ReadString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return call.ReplyString(_devices.GetXmlDesc(name, flags));
    }

    /// <summary>remote_node_device_get_parent_ret: an optional name, null for the root (the daemon passes libvirt's NULL on).</summary>
    public PacketBuffer GetParent(RpcCall call)
    {
        NodeDevice device = _devices.LookupByName(ReadName(call));
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteOptionalString(device.Parent);
        return reply;
    }

    public PacketBuffer NumOfCaps(RpcCall call) => call.ReplyInt(_devices.ListCaps(ReadName(call)).Count);

    public PacketBuffer ListCaps(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = args.ReadString();
        int max = args.ReadInt32();
        args.EnsureEnd();
        return Strings(call, _devices.ListCaps(name).Take(Math.Max(0, Math.Min(max, MaxCaps))).ToArray(), MaxCaps);
    }

    public PacketBuffer Destroy(RpcCall call)
    {
        _devices.Destroy(ReadName(call));
        return call.Empty();
    }

    private IEnumerable<NodeDevice> WithCap(string? cap) =>
        _devices.List(0).Where(d => cap is null || NodeDeviceCapabilityNames.Name(d.Capability) == cap);

    private static string ReadName(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = args.ReadString();
        args.EnsureEnd();
        return name;
    }

    private static PacketBuffer Strings(RpcCall call, string[] values, int max)
    {
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(values.Length, max);
        foreach (string value in values)
        {
            body.WriteString(value);
        }
        return reply;
    }
}
