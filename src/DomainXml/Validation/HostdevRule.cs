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
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        if (context.Devices is not { } devices)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in context.DeviceElements)
        {
            if (device.Name.LocalName == "hostdev")
            {
                CheckAddress(device);
                CheckBoot(device);
            }
            else if (device.Element(XmlNames.Address)?.Attr(XmlNames.Type) == "unassigned")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "address of type 'unassigned' is supported only for hostdevs",
                    device.Element(XmlNames.Address), "type");
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
        if (hostdev.Attr(XmlNames.Mode) == "capabilities")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "hostdev mode 'capabilities' is not supported in qemu", hostdev, "mode");
        }

        string? address = hostdev.Element(XmlNames.Address)?.Attr(XmlNames.Type);
        (DomainXmlErrorKind Kind, string Detail)? error = (hostdev.Attr(XmlNames.Type), address) switch
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
            ThrowHelper.Throw(e.Kind, e.Detail, hostdev.Element(XmlNames.Address), "type");
        }

        if (hostdev.Element(XmlNames.Teaming) is { } teaming)
        {
            string? detail = teaming.Attr(XmlNames.Type) != "transient" ? "teaming hostdev devices must have type='transient'"
                : teaming.Attr(XmlNames.Persistent) is null ? "missing required persistent attribute in hostdev teaming element"
                : hostdev.Attr(XmlNames.Type) != "pci" || (hostdev.Attr(XmlNames.Mode) ?? "subsystem") != "subsystem"
                    ? "teaming is only supported for pci hostdev devices"
                : null;
            if (detail is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, teaming);
            }
        }

        if (hostdev.Attr(XmlNames.Type) == "pci" && hostdev.Element(XmlNames.Source)?.Attr(XmlNames.WriteFiltering) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "Write filtering of PCI device configuration space is not supported by qemu", hostdev.Element(XmlNames.Source), "writeFiltering");
        }
    }

    private static void CheckBoot(XElement hostdev)
    {
        if (hostdev.Element(XmlNames.Boot) is not { } boot || (hostdev.Attr(XmlNames.Mode) ?? "subsystem") != "subsystem")
        {
            return;
        }

        string? unsupported = hostdev.Attr(XmlNames.Type) switch
        {
            "scsi_host" => "vhost SCSI devices",
            "mdev" when hostdev.Attr(XmlNames.Model) is "vfio-pci" or "vfio-ap" => $"mediated devices of model {hostdev.Attr(XmlNames.Model)}",
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
            mode = device.Attr(XmlNames.Mode) ?? "subsystem";
            type = device.Attr(XmlNames.Type);
        }
        else if (device.Name.LocalName == "interface" && device.Attr(XmlNames.Type) == "hostdev")
        {
            mode = "subsystem";
            type = device.Element(XmlNames.Source)?.Element(XmlNames.Address)?.Attr(XmlNames.Type) ?? "pci";
        }
        else
        {
            return null;
        }

        var source = device.Element(XmlNames.Source);
        if (source is null || type is null)
        {
            return null;
        }

        var address = source.Element(XmlNames.Address);
        string? identity = (mode, type) switch
        {
            ("subsystem", "pci") when address is not null => PciAddress.Read(address).ToString(),
            ("subsystem", "usb") => UsbKey(source),
            ("subsystem", "scsi") when source.Attr(XmlNames.Protocol) == "iscsi" => IscsiKey(source),
            ("subsystem", "scsi") when address is not null =>
                $"{source.Element(XmlNames.Adapter)?.Attr(XmlNames.Name)}/{address.UInt(XmlNames.Bus) ?? 0}:{address.ULong(XmlNames.Target) ?? 0}:{address.ULong(XmlNames.Unit) ?? 0}",
            ("subsystem", "scsi_host") => $"{source.Attr(XmlNames.Protocol)}/{source.Attr(XmlNames.Wwpn)}",
            ("subsystem", "mdev") => address?.Attr(XmlNames.Uuid),
            ("capabilities", "storage") => source.Element(XmlNames.Block)?.Text(),
            ("capabilities", "misc") => source.Element(XmlNames.Char)?.Text(),
            ("capabilities", "net") => source.Element(XmlNames.Interface)?.Text(),
            _ => null,
        };
        return identity is null ? null : $"{mode}/{type}/{identity}";
    }

    /// <summary>A USB device by its host bus and device number when both are given, else by vendor and product id.</summary>
    private static string UsbKey(XElement source)
    {
        var address = source.Element(XmlNames.Address);
        uint bus = address?.UInt(XmlNames.Bus) ?? 0, dev = address?.UInt(XmlNames.Device) ?? 0;
        if (bus != 0 && dev != 0)
        {
            return $"bus {bus} device {dev}";
        }

        uint vendor = source.Element(XmlNames.Vendor)?.UInt(XmlNames.Id) ?? 0, product = source.Element(XmlNames.Product)?.UInt(XmlNames.Id) ?? 0;
        return $"vendor {vendor} product {product}";
    }

    private static string IscsiKey(XElement source)
    {
        var host = source.Element(XmlNames.Host);
        return $"iscsi {host?.Attr(XmlNames.Name)}:{host?.Attr(XmlNames.Port)}/{source.Attr(XmlNames.Name)}";
    }
}
