using System.Xml;
using System.Xml.Linq;
using Kvm.DomainXml;

namespace Kvm.Driver.Domains;

/// <summary>
/// virDomainAttachDeviceFlags and virDomainDetachDeviceFlags on the persistent definition (AFFECT_CONFIG, or
/// AFFECT_CURRENT on a domain that is not running): the device element is added to, or taken out of, its devices and the
/// result is defined as any new XML is (parsed, post-parsed, validated; nothing changes when that fails). Changing a
/// running domain's devices is hotplug, which the VMM does not offer: refused with libvirt's "not supported" for it.
/// </summary>
internal sealed partial class DomainDefinitions
{
    public DomainInfo AttachDevice(Guid uuid, string deviceXml, uint flags)
    {
        XElement device = ParseDevice(deviceXml);
        XElement devices = PersistentDevices(uuid, flags, "attach", device.Name.LocalName);
        if (device.Name == "disk" && DiskByTarget(devices, TargetOf(device)) is not null)
        {
            throw DomainErrors.OperationFailed($"target {TargetOf(device)} already exists");
        }

        devices.Add(device);
        return Define(devices.Document!.ToString(SaveOptions.DisableFormatting));
    }

    public DomainInfo DetachDevice(Guid uuid, string deviceXml, uint flags)
    {
        XElement device = ParseDevice(deviceXml);
        XElement devices = PersistentDevices(uuid, flags, "detach", device.Name.LocalName);
        XElement found = device.Name.LocalName switch
        {
            // libvirt finds a disk by its target, an interface by its MAC address (qemuDomainDetachDeviceConfig).
            "disk" => DiskByTarget(devices, TargetOf(device))
                ?? throw DomainErrors.OperationFailed($"no target device {TargetOf(device)}"),
            "interface" => InterfaceByMac(devices, device)
                ?? throw DomainErrors.OperationFailed($"no device matching MAC address {MacOf(device)} found"),
            string other => throw new DomainOperationException(VirErrorCode.OperationUnsupported,
                $"Operation not supported: persistent detach of device '{other}' is not supported"),
        };

        found.Remove();
        return Define(devices.Document!.ToString(SaveOptions.DisableFormatting));
    }

    private static XElement ParseDevice(string xml)
    {
        try
        {
            return XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            throw new DomainOperationException(VirErrorCode.XmlError, "XML error: " + e.Message, e);
        }
    }

    /// <summary>A copy of the persistent definition's devices element (made when missing), in a document of its own.</summary>
    private XElement PersistentDevices(Guid uuid, uint flags, string action, string deviceName)
    {
        var entry = _table.Find(uuid);
        DomainDocument persistent;
        lock (_table.Gate)
        {
            bool live = (flags & AffectLive) != 0 || ((flags & AffectConfig) == 0 && entry.Live is not null && !entry.Removed);
            if (live)
            {
                throw new DomainOperationException(VirErrorCode.OperationUnsupported,
                    $"Operation not supported: live {action} of device '{deviceName}' is not supported");
            }
            persistent = SelectDefinition(entry, AffectConfig).Document;
        }

        XDocument copy = XDocument.Parse(Format(persistent, DomainFormatFlags.Secure | DomainFormatFlags.Inactive));
        XElement root = copy.Root!;
        XElement? devices = root.Element("devices");
        if (devices is null)
        {
            devices = new XElement("devices");
            root.Add(devices);
        }
        return devices;
    }

    private static string TargetOf(XElement disk) =>
        disk.Element("target")?.Attribute("dev")?.Value ?? throw DomainErrors.InvalidArg("the disk has no target dev");

    private static XElement? DiskByTarget(XElement devices, string target) =>
        devices.Elements("disk").FirstOrDefault(d => d.Element("target")?.Attribute("dev")?.Value == target);

    private static string MacOf(XElement nic) =>
        nic.Element("mac")?.Attribute("address")?.Value ?? throw DomainErrors.InvalidArg("the interface has no MAC address");

    private static XElement? InterfaceByMac(XElement devices, XElement nic) =>
        devices.Elements("interface").FirstOrDefault(i =>
            string.Equals(i.Element("mac")?.Attribute("address")?.Value, MacOf(nic), StringComparison.OrdinalIgnoreCase));
}
