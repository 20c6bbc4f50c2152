using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// The firmware's boot timeouts fit its 16-bit fields: the boot menu timeout (read only when the menu is enabled) in
/// [0,65535] ms, the reboot timeout in [-1,65535] (virDomainDefBootValidate).
/// </summary>
internal sealed class BootMenuRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var os = domain.Element(XmlNames.Os);
        if (os?.Element(XmlNames.Bootmenu) is { } menu && menu.YesNo(XmlNames.Enable) == true && menu.UInt(XmlNames.Timeout) > ushort.MaxValue)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "invalid value for boot menu timeout, must be in range [0,65535]", menu, "timeout");
        }

        if (os?.Element(XmlNames.Bios) is { } bios && bios.Int(XmlNames.RebootTimeout) is { } reboot && (reboot < -1 || reboot > ushort.MaxValue))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "invalid value for rebootTimeout, must be in range [-1,65535]", bios, "rebootTimeout");
        }
    }
}
