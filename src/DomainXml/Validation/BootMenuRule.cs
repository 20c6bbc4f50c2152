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
    public void Check(XElement domain, DomainDef definition)
    {
        var os = domain.Element("os");
        if (os?.Element("bootmenu") is { } menu && menu.YesNo("enable") == true && menu.UInt("timeout") > ushort.MaxValue)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "invalid value for boot menu timeout, must be in range [0,65535]", menu, "timeout");
        }

        if (os?.Element("bios") is { } bios && bios.Int("rebootTimeout") is { } reboot && (reboot < -1 || reboot > ushort.MaxValue))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "invalid value for rebootTimeout, must be in range [-1,65535]", bios, "rebootTimeout");
        }
    }
}
