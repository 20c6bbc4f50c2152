using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary>
/// <c>&lt;hostdev&gt;</c>: mode, type, managed and the source of PCI and mediated devices, with libvirt's parse-time
/// checks (virDomainHostdevDefParseXML). PCI address ranges are checked with every other PCI address, in validation.
/// </summary>
internal static class HostdevXml
{
    internal static readonly XmlEnum<HostdevMode> s_mode = new(
        (HostdevMode.Subsystem, "subsystem"),
        (HostdevMode.Capabilities, "capabilities"));

    internal static readonly XmlEnum<HostdevType> s_type = new(
        (HostdevType.Usb, "usb"),
        (HostdevType.Pci, "pci"),
        (HostdevType.Scsi, "scsi"),
        (HostdevType.ScsiHost, "scsi_host"),
        (HostdevType.Mdev, "mdev"),
        (HostdevType.Storage, "storage"),
        (HostdevType.Misc, "misc"),
        (HostdevType.Net, "net"));

    private static readonly HashSet<string> s_sgio = ["filtered", "unfiltered"];
    private static readonly HashSet<string> s_vhostModels = ["default", "virtio", "virtio-transitional", "virtio-non-transitional"];
    private static readonly HashSet<string> s_mdevModels = ["vfio-pci", "vfio-ccw", "vfio-ap"];
    private static readonly HashSet<string> s_pciBackends = ["kvm", "vfio", "xen"];

    public static HostdevDef Parse(XElement hostdev)
    {
        var mode = hostdev.EnumNamed("mode", s_mode, "hostdev mode") ?? HostdevMode.Subsystem;
        if (hostdev.Attr(XmlNames.Type) is not { } typeText)
        {
            return ThrowHelper.Throw<HostdevDef>(DomainXmlErrorKind.XmlError, "missing source address type", hostdev);
        }

        if (!s_type.TryParse(typeText, out var type) || IsCapsType(type) != (mode == HostdevMode.Capabilities))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown host device source address type '{typeText}'", hostdev, "type");
        }

        var source = hostdev.Element(XmlNames.Source)
            ?? ThrowHelper.Throw<XElement>(DomainXmlErrorKind.XmlError, "Missing <source> element in hostdev device", hostdev);
        var result = new HostdevDef { Mode = mode, Type = type };
        return mode == HostdevMode.Subsystem ? ParseSubsystem(hostdev, source, result) : ParseCapabilities(source, result);
    }

    private static bool IsCapsType(HostdevType type) => type switch
    {
        HostdevType.Storage or HostdevType.Misc or HostdevType.Net => true,
        HostdevType.Usb or HostdevType.Pci or HostdevType.Scsi or HostdevType.ScsiHost or HostdevType.Mdev => false,
    };

    private static HostdevDef ParseSubsystem(XElement hostdev, XElement source, HostdevDef result)
    {
        var type = result.Type;
        // libvirt ignores a managed value it cannot read.
        result = result with { Managed = hostdev.Attr(XmlNames.Managed) == "yes" };
        if (type != HostdevType.Usb && source.Attr(XmlNames.StartupPolicy) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Setting startupPolicy is only allowed for USB devices", source, "startupPolicy");
        }

        if (hostdev.OneOf("sgio", s_sgio) is not null && type != HostdevType.Scsi)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "sgio is only supported for scsi host device", hostdev, "sgio");
        }

        if (hostdev.YesNo(XmlNames.Rawio) is not null && type != HostdevType.Scsi)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "rawio is only supported for scsi host device", hostdev, "rawio");
        }

        if (type is not (HostdevType.Mdev or HostdevType.ScsiHost) && hostdev.Attr(XmlNames.Model) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"'model' attribute in <hostdev> is only supported when type='{s_type.ToXml(type)}'", hostdev, "model");
        }

        switch (type)
        {
            case HostdevType.ScsiHost:
                hostdev.OneOf("model", s_vhostModels);
                break;
            case HostdevType.Mdev:
                hostdev.RequiredAttr(XmlNames.Model);
                hostdev.OneOf("model", s_mdevModels);
                hostdev.OnOff(XmlNames.Display);
                hostdev.OnOff(XmlNames.Ramfb);
                result = result with { MdevUuid = ReadMdevUuid(source) };
                break;
            case HostdevType.Pci:
                source.YesNo(XmlNames.WriteFiltering);
                result = result with { PciAddress = source.Element(XmlNames.Address) is { } address ? ReadPciAddress(address) : null };
                hostdev.Element(XmlNames.Driver)?.OneOf("name", s_pciBackends);
                break;
            case HostdevType.Usb or HostdevType.Scsi:
                break;
            case HostdevType.Storage or HostdevType.Misc or HostdevType.Net:
                break;
        }

        return result;
    }

    private static HostPciAddress ReadPciAddress(XElement address)
    {
        var pci = new HostPciAddress(
            address.UInt(XmlNames.Domain) ?? 0, address.UInt(XmlNames.Bus) ?? 0, address.UInt(XmlNames.Slot) ?? 0, address.UInt(XmlNames.Function) ?? 0);
        address.OnOff(XmlNames.Multifunction);
        return pci;
    }

    private static Guid ReadMdevUuid(XElement source)
    {
        var address = source.Element(XmlNames.Address)
            ?? ThrowHelper.Throw<XElement>(DomainXmlErrorKind.ConfigUnsupported, "Missing <address> element", source);
        string uuid = address.Attr(XmlNames.Uuid) ?? ThrowHelper.Throw<string>(DomainXmlErrorKind.ConfigUnsupported,
            "Missing 'uuid' attribute for element <address>", address);
        if (!Guid.TryParse(uuid, out var value))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Cannot parse uuid attribute of element <address>", address, "uuid");
        }

        return value;
    }

    private static HostdevDef ParseCapabilities(XElement source, HostdevDef result)
    {
        (string child, string what) = result.Type switch
        {
            HostdevType.Storage => ("block", "storage"),
            HostdevType.Misc => ("char", "character"),
            HostdevType.Net => ("interface", "net"),
            HostdevType.Usb or HostdevType.Pci or HostdevType.Scsi or HostdevType.ScsiHost or HostdevType.Mdev =>
                throw new InvalidOperationException("not a capabilities type"),
        };
        if (string.IsNullOrEmpty(source.Element(child)?.Text()))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Missing <{child}> element in hostdev {what} device", source);
        }

        return result;
    }
}
