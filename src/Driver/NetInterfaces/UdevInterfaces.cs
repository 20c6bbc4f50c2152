using System.Globalization;
using System.Text;
using Kvm.Driver.Api;
using Kvm.Driver.NodeDevices;

namespace Kvm.Driver.NetInterfaces;

/// <summary>
/// The host's network interfaces, read-only, as libvirt 9.0's udev interface backend reports them (Debian builds
/// libvirt without netcf, so this is what its QEMU hosts answer): every interface of the net subsystem, active while
/// its operstate is up, described as an ethernet interface with its MTU, link and MAC. Defining, starting, stopping
/// and undefining interfaces are not supported there, nor here. Read afresh on every call.
/// </summary>
public sealed class UdevInterfaces
{
    // virConnectListAllInterfacesFlags
    public const uint ListInactive = 1, ListActive = 2;
    private const uint XmlInactive = 1; // VIR_INTERFACE_XML_INACTIVE

    private readonly string _netClass;

    public UdevInterfaces(string sysRoot = "/sys") => _netClass = Path.Combine(sysRoot, "class", "net");

    public IReadOnlyList<HostInterface> List(uint flags)
    {
        LibvirtErrors.CheckFlags(flags, ListInactive | ListActive, "udevConnectListAllInterfaces");
        uint filter = flags & (ListInactive | ListActive);
        return Scan().Where(i => filter == 0 || filter == (ListInactive | ListActive) || (i.Active ? filter == ListActive : filter == ListInactive)).ToArray();
    }

    public HostInterface LookupByName(string name) =>
        Scan().FirstOrDefault(i => i.Name == name) ?? throw InterfaceErrors.NoInterfaceByName(name);

    /// <summary>virInterfaceLookupByMACString: exactly one interface with that address.</summary>
    public HostInterface LookupByMac(string mac)
    {
        HostInterface[] matches = Scan().Where(i => string.Equals(i.Mac, mac, StringComparison.OrdinalIgnoreCase)).Take(2).ToArray();
        return matches.Length switch
        {
            0 => throw InterfaceErrors.NoInterfaceByMac(mac),
            1 => matches[0],
            _ => throw InterfaceErrors.SeveralByMac(mac),
        };
    }

    /// <summary>virInterfaceGetXMLDesc (udevGetIfaceDef for an ethernet interface).</summary>
    public string GetXmlDesc(string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, XmlInactive, "udevInterfaceGetXMLDesc");
        HostInterface i = LookupByName(name);
        var sb = new StringBuilder("<interface type='ethernet' name='").Append(NodeDeviceXml.Escape(i.Name)).Append("'>\n");
        if (i.Mtu > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  <mtu size='{i.Mtu}'/>\n");
        }
        sb.Append(SysfsNodeDevices.FormatLink("  ", i.LinkSpeed, i.LinkState));
        sb.Append("  <mac address='").Append(NodeDeviceXml.Escape(i.Mac)).Append("'/>\n");
        return sb.Append("</interface>\n").ToString();
    }

    private IEnumerable<HostInterface> Scan()
    {
        if (!Directory.Exists(_netClass))
        {
            yield break;
        }
        foreach (string entry in Directory.GetFileSystemEntries(_netClass).Order(StringComparer.Ordinal))
        {
            string? mac = SysfsNodeDevices.Attr(entry, "address");
            if (mac is null)
            {
                continue; // gone while read, or an interface without a link-layer address (libvirt cannot name it by MAC either)
            }
            uint.TryParse(SysfsNodeDevices.Attr(entry, "mtu"), NumberStyles.None, CultureInfo.InvariantCulture, out uint mtu);
            (uint speed, string? state) = SysfsNodeDevices.LinkInfo(entry);
            yield return new HostInterface(Path.GetFileName(entry), mac, mtu, speed, state);
        }
    }
}
