using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// The boot order is given one way: per device (<c>&lt;boot order&gt;</c> on disks, filesystems, interfaces, host
/// devices and redirected devices, each number used once) or by device class in <c>&lt;os&gt;&lt;boot dev&gt;</c>,
/// never both (virDomainDefBootOrderPostParse).
/// </summary>
internal sealed class BootOrderRule : IDomainRule
{
    /// <summary>The device kinds whose <c>&lt;boot&gt;</c> libvirt reads (VIR_DOMAIN_DEF_PARSE_ALLOW_BOOT).</summary>
    private static readonly HashSet<string> s_bootable = ["disk", "filesystem", "interface", "hostdev", "redirdev"];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var seen = new HashSet<uint>();
        XElement? first = null;
        foreach (var device in context.DeviceElements)
        {
            if (!s_bootable.Contains(device.Name.LocalName) || device.Element(XmlNames.Boot) is not { } boot || boot.UInt(XmlNames.Order) is not { } order)
            {
                continue;
            }

            if (!seen.Add(order))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"boot order '{order}' used for more than one device", boot, "order");
            }

            first ??= boot;
        }

        if (first is not null && domain.Element(XmlNames.Os)?.Element(XmlNames.Boot) is { } osBoot)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "per-device boot elements cannot be used together with os/boot elements", osBoot);
        }
    }
}
