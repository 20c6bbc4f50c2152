using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Host devices: one host device is assigned once (libvirt's virDomainHostdevMatch, compared per source kind), each
/// sits on the guest bus of its kind, and the kinds that cannot boot the guest carry no boot order
/// (virDomainHostdevDefValidate, qemuValidateDomainDeviceDefHostdev).
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
                CheckAddress(device);
                CheckBoot(device);
            }
            else if (device.Element("address")?.Attr("type") == "unassigned")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "address of type 'unassigned' is supported only for hostdevs",
                    device.Element("address"), "type");
            }

            if (SourceKey(device) is { } key && !seen.Add(key))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Hostdev already exists in the domain configuration", device);
            }
        }
    }

    /// <summary>
    /// A host device appears on the guest bus of its kind; capabilities-mode devices (host block and character devices,
    /// network interfaces) belong to containers (virDomainHostdevDefValidate, qemuValidateDomainDeviceDefHostdev).
    /// </summary>
    private static void CheckAddress(XElement hostdev)
    {
        if (hostdev.Attr("mode") == "capabilities")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "hostdev mode 'capabilities' is not supported in qemu", hostdev, "mode");
        }

        string? address = hostdev.Element("address")?.Attr("type");
        (DomainXmlErrorKind Kind, string Detail)? error = (hostdev.Attr("type"), address) switch
        {
            (_, null) => null,
            ("pci", not ("pci" or "unassigned")) => (DomainXmlErrorKind.InternalError, "PCI host devices must use 'pci' or 'unassigned' address type"),
            ("scsi", not "drive") => (DomainXmlErrorKind.ConfigUnsupported, "SCSI host device must use 'drive' address type"),
            ("scsi_host", not ("pci" or "ccw")) => (DomainXmlErrorKind.ConfigUnsupported, "SCSI_host host device must use 'pci' or 'ccw' address type"),
            ("usb", not "usb") => (DomainXmlErrorKind.ConfigUnsupported, "USB host device must use 'usb' address type"),
            _ => null,
        };
        if (error is { } e)
        {
            ThrowHelper.Throw(e.Kind, e.Detail, hostdev.Element("address"), "type");
        }

        if (hostdev.Element("teaming") is { } teaming)
        {
            string? detail = teaming.Attr("type") != "transient" ? "teaming hostdev devices must have type='transient'"
                : teaming.Attr("persistent") is null ? "missing required persistent attribute in hostdev teaming element"
                : hostdev.Attr("type") != "pci" || (hostdev.Attr("mode") ?? "subsystem") != "subsystem"
                    ? "teaming is only supported for pci hostdev devices"
                : null;
            if (detail is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, teaming);
            }
        }

        if (hostdev.Attr("type") == "pci" && hostdev.Element("source")?.Attr("writeFiltering") is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "Write filtering of PCI device configuration space is not supported by qemu", hostdev.Element("source"), "writeFiltering");
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
