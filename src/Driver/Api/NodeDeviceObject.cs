using Kvm.Driver.NodeDevices;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.NodeDevice for every path below /org/libvirt/QEMU/nodedev (the node is the device's name, encoded as
/// libvirt-dbus encodes strings), over the driver core's <see cref="NodeDeviceService"/>. Detach, ReAttach and Reset
/// answer libvirt's "not supported": kvmd does not hand host devices to guests.
/// </summary>
internal sealed class NodeDeviceObject : ILibvirtObject
{
    private readonly NodeDeviceService _devices;

    public NodeDeviceObject(NodeDeviceService devices) => _devices = devices;

    public LibvirtInterface Interface => LibvirtInterface.NodeDevice;

    public VariantValue GetProperty(string path, string name) => name switch
    {
        "Name" => VariantValue.String(_devices.LookupByName(Decode(path)).Name),
        "Parent" => VariantValue.String(_devices.Parent(Decode(path))),
        _ => throw new ArgumentException($"No property {name} in {Interface.Name}", nameof(name)),
    };

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        if (LibvirtPaths.NodeBelow(LibvirtPaths.NodeDeviceRoot, path) is not { Length: > 0 } node || LibvirtPaths.DecodeString(node) is not { } name)
        {
            return [];
        }
        NodeDevice device;
        try
        {
            device = _devices.LookupByName(name);
        }
        catch (Domains.DomainOperationException)
        {
            return [];
        }
        var values = new List<KeyValuePair<string, VariantValue>> { new("Name", VariantValue.String(device.Name)) };
        if (device.Parent is not null)
        {
            values.Add(new("Parent", VariantValue.String(device.Parent))); // the root's getter fails, so GetAll leaves it out
        }
        return values;
    }

    public void SetProperty(string path, string name, ref Reader value) =>
        throw new InvalidOperationException($"{Interface.Name} has no writable property {name}");

    public ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        string name = _devices.LookupByName(Decode(call.Path)).Name;
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("GetXMLDesc", "u"):
                Replies.String(context, _devices.GetXmlDesc(name, args.ReadUInt32()));
                break;
            case ("ListCaps", ""):
                Replies.Strings(context, _devices.ListCaps(name));
                break;
            case ("Destroy", ""):
                _devices.Destroy(name); // always refused
                Replies.Empty(context);
                break;
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The device nodes below the subtree root, for Introspect.</summary>
    public IEnumerable<string> Children(string path) =>
        path == LibvirtPaths.NodeDeviceRoot ? _devices.List(0).Select(d => LibvirtPaths.EncodeString(d.Name)).ToArray() : [];

    private static string Decode(string path) =>
        LibvirtPaths.NodeBelow(LibvirtPaths.NodeDeviceRoot, path) is { Length: > 0 } node && LibvirtPaths.DecodeString(node) is { } name
            ? name
            : throw NodeDeviceErrors.NoDeviceByName(LibvirtPaths.NodeBelow(LibvirtPaths.NodeDeviceRoot, path) ?? path);
}
