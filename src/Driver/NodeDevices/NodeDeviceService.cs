using Kvm.Driver.Api;

namespace Kvm.Driver.NodeDevices;

/// <summary>
/// The driver core's node devices: the host's devices as <see cref="SysfsNodeDevices"/> reads them, listed with
/// libvirt's filters and looked up by name; nothing can be created or destroyed (libvirt's answers for that).
/// </summary>
public sealed class NodeDeviceService
{
    private const NodeDeviceCapabilities CapabilityFilters = (NodeDeviceCapabilities)((1u << 22) - 1);
    private const NodeDeviceCapabilities StateFilters = NodeDeviceCapabilities.Active | NodeDeviceCapabilities.Inactive;
    private readonly SysfsNodeDevices _source;

    public NodeDeviceService(SysfsNodeDevices source) => _source = source;

    /// <summary>virConnectListAllNodeDevices: the devices with any of the capabilities asked for (all without), all of them active.</summary>
    public IReadOnlyList<NodeDevice> List(uint flags)
    {
        LibvirtErrors.CheckFlags(flags, (uint)(CapabilityFilters | StateFilters), "nodeConnectListAllNodeDevices");
        var filter = (NodeDeviceCapabilities)flags;
        return _source.Scan().Where(d =>
            ((filter & CapabilityFilters) == 0 || (filter & d.Capability) != 0)
            && ((filter & StateFilters) == 0 || (filter & NodeDeviceCapabilities.Active) != 0)).ToArray();
    }

    public NodeDevice LookupByName(string name) =>
        _source.Scan().FirstOrDefault(d => d.Name == name) ?? throw NodeDeviceErrors.NoDeviceByName(name);

    public string GetXmlDesc(string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "nodeDeviceGetXMLDesc");
        return NodeDeviceXml.Format(LookupByName(name));
    }

    /// <summary>virNodeDeviceGetParent: the root has none, which libvirt reports as an error.</summary>
    public string Parent(string name) => LookupByName(name).Parent ?? throw NodeDeviceErrors.NoParent();

    public IReadOnlyList<string> ListCaps(string name) => [NodeDeviceCapabilityNames.Name(LookupByName(name).Capability)];

    /// <summary>virNodeDeviceDestroy: only vHBAs and mediated devices can be destroyed, and kvmd reports neither.</summary>
    public void Destroy(string name)
    {
        LookupByName(name);
        throw NodeDeviceErrors.UnsupportedDeviceType();
    }
}
