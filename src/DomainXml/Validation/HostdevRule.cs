using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Host devices: one host device is assigned once (libvirt's virDomainHostdevMatch, compared per source kind), and
/// the kinds that cannot boot the guest carry no boot order (qemuValidateDomainDeviceDefHostdev).
/// </summary>
internal sealed class HostdevRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        if (domain.Element("devices") is not { } devices)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in devices.Elements())
        {
            if (device.Name.LocalName == "hostdev")
            {
                CheckBoot(device);
            }

            if (SourceKey(device) is { } key && !seen.Add(key))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Hostdev already exists in the domain configuration", device);
            }
        }
    }

    private static void CheckBoot(XElement hostdev)
    {
        if (hostdev.Element("boot") is not { } boot || (hostdev.Attr("mode") ?? "subsystem") != "subsystem")
        {
            return;
        }

        string? unsupported = hostdev.Attr("type") switch
        {
            "scsi_host" => "vhost SCSI devices",
            "mdev" when hostdev.Attr("model") is "vfio-pci" or "vfio-ap" => $"mediated devices of model {hostdev.Attr("model")}",
            _ => null,
        };
        if (unsupported is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"booting from assigned devices is not supported by {unsupported}", boot);
        }
    }

    /// <summary>
    /// What identifies the host device a <c>&lt;hostdev&gt;</c> (or an <c>&lt;interface type='hostdev'&gt;</c>) takes;
    /// null for other devices.
    /// </summary>
    private static string? SourceKey(XElement device)
    {
        string? mode, type;
        if (device.Name.LocalName == "hostdev")
        {
            mode = device.Attr("mode") ?? "subsystem";
            type = device.Attr("type");
        }
        else if (device.Name.LocalName == "interface" && device.Attr("type") == "hostdev")
        {
            mode = "subsystem";
            type = device.Element("source")?.Element("address")?.Attr("type") ?? "pci";
        }
        else
        {
            return null;
        }

        var source = device.Element("source");
        if (source is null || type is null)
        {
            return null;
        }

        var address = source.Element("address");
        string? identity = (mode, type) switch
        {
            ("subsystem", "pci") when address is not null => PciAddress.Read(address).ToString(),
            ("subsystem", "usb") => UsbKey(source),
            ("subsystem", "scsi") when source.Attr("protocol") == "iscsi" => IscsiKey(source),
            ("subsystem", "scsi") when address is not null =>
                $"{source.Element("adapter")?.Attr("name")}/{address.UInt("bus") ?? 0}:{address.ULong("target") ?? 0}:{address.ULong("unit") ?? 0}",
            ("subsystem", "scsi_host") => $"{source.Attr("protocol")}/{source.Attr("wwpn")}",
            ("subsystem", "mdev") => address?.Attr("uuid"),
            ("capabilities", "storage") => source.Element("block")?.Text(),
            ("capabilities", "misc") => source.Element("char")?.Text(),
            ("capabilities", "net") => source.Element("interface")?.Text(),
            _ => null,
        };
        return identity is null ? null : $"{mode}/{type}/{identity}";
    }

    /// <summary>A USB device by its host bus and device number when both are given, else by vendor and product id.</summary>
    private static string UsbKey(XElement source)
    {
        var address = source.Element("address");
        uint bus = address?.UInt("bus") ?? 0, dev = address?.UInt("device") ?? 0;
        if (bus != 0 && dev != 0)
        {
            return $"bus {bus} device {dev}";
        }

        uint vendor = source.Element("vendor")?.UInt("id") ?? 0, product = source.Element("product")?.UInt("id") ?? 0;
        return $"vendor {vendor} product {product}";
    }

    private static string IscsiKey(XElement source)
    {
        var host = source.Element("host");
        return $"iscsi {host?.Attr("name")}:{host?.Attr("port")}/{source.Attr("name")}";
    }
}
