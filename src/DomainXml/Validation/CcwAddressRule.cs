using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Channel I/O addresses (<c>&lt;address type='ccw' cssid ssid devno&gt;</c>) exist on s390's CCW machines only; an
/// address gives all three numbers or none, within the channel subsystem's limits (cssid ≤ 0xfe, ssid ≤ 3, devno ≤
/// 0xffff), and names a device number no other device has (virCCWDeviceAddressParseXML, virDomainCCWAddressAssign,
/// qemuValidateDomainDeviceDefAddress). The retired virtio-s390 bus has no addresses any more.
/// </summary>
internal sealed class CcwAddressRule : IDomainRule
{
    private const uint MaxCssid = 0xfe;
    private const uint MaxSsid = 3;
    private const uint MaxDevno = 0xffff;

    public void Check(ValidationContext context)
    {
        if (!context.HasAddressType("ccw") && !context.HasAddressType("virtio-s390"))
        {
            return;
        }

        if (context.Devices is not { } devices)
        {
            return;
        }

        var machine = context.Machine;
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in context.DeviceElements)
        {
            if (device.Element(XmlNames.Address) is not { } address)
            {
                continue;
            }

            string? type = address.Attr(XmlNames.Type);
            if (type == "virtio-s390")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'virtio-s390' addresses are no longer supported", address, "type");
            }

            if (type != "ccw")
            {
                continue;
            }

            uint? cssid = address.UInt(XmlNames.Cssid), ssid = address.UInt(XmlNames.Ssid), devno = address.UInt(XmlNames.Devno);
            if (cssid > MaxCssid || ssid > MaxSsid || devno > MaxDevno)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError,
                    $"Invalid specification for virtio ccw address: cssid='0x{cssid ?? 0:x}' ssid='0x{ssid ?? 0:x}' devno='0x{devno ?? 0:x4}'",
                    address);
            }

            bool assigned = cssid is not null && ssid is not null && devno is not null;
            if (!assigned && (cssid ?? ssid ?? devno) is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Invalid partial specification for virtio ccw address", address);
            }

            if (!machine.IsS390Ccw)
            {
                string alias = device.Element(XmlNames.Alias)?.Attr(XmlNames.Name) ?? "<null>";
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"cannot use CCW address type for device '{alias}' using machine type '{machine.Machine}'", address, "type");
            }

            if (assigned && !used.Add($"{cssid:x}.{ssid:x}.{devno:x4}"))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"The CCW devno '{cssid:x}.{ssid:x}.{devno:x4}' is in use already", address);
            }
        }
    }
}
