using Kvm.Driver.NetInterfaces;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.Interface for every path below /org/libvirt/QEMU/interface (the node is the interface's MAC address,
/// encoded; libvirt-dbus looks it up by MAC), over <see cref="UdevInterfaces"/>: read-only, so Create, Destroy and
/// Undefine answer libvirt's "not supported", as libvirt's udev backend does.
/// </summary>
internal sealed class InterfaceObject : ILibvirtObject
{
    private readonly UdevInterfaces _interfaces;

    public InterfaceObject(UdevInterfaces interfaces) => _interfaces = interfaces;

    public LibvirtInterface Interface => LibvirtInterface.NetInterface;

    public VariantValue GetProperty(string path, string name) => Property(Resolve(path), name);

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        HostInterface found;
        try
        {
            found = Resolve(path);
        }
        catch (Domains.DomainOperationException)
        {
            return [];
        }
        return Interface.Description.Properties.Select(p => new KeyValuePair<string, VariantValue>(p.Name, Property(found, p.Name))).ToArray();
    }

    public void SetProperty(string path, string name, ref Reader value) =>
        throw new InvalidOperationException($"{Interface.Name} has no writable property {name}");

    public ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        HostInterface found = Resolve(call.Path);
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("GetXMLDesc", "u"):
                Replies.String(context, _interfaces.GetXmlDesc(found.Name, args.ReadUInt32()));
                break;
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The interface nodes below the subtree root, for Introspect.</summary>
    public IEnumerable<string> Children(string path) =>
        path == LibvirtPaths.InterfaceRoot ? _interfaces.List(0).Select(i => LibvirtPaths.EncodeString(i.Mac)).Distinct().ToArray() : [];

    private VariantValue Property(HostInterface found, string name) => name switch
    {
        "Active" => VariantValue.Bool(found.Active),
        "MAC" => VariantValue.String(found.Mac),
        "Name" => VariantValue.String(found.Name),
        _ => throw new ArgumentException($"No property {name} in {Interface.Name}", nameof(name)),
    };

    private HostInterface Resolve(string path)
    {
        string node = LibvirtPaths.NodeBelow(LibvirtPaths.InterfaceRoot, path) ?? "";
        return _interfaces.LookupByMac(LibvirtPaths.DecodeString(node) ?? node);
    }
}
