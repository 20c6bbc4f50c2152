using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Character devices of type spicevmc and spiceport are channels of a SPICE display, so the domain has one
/// (qemuValidateDomainChrSourceDef).
/// </summary>
internal sealed class SpiceChannelRule : IDomainRule
{
    private static readonly HashSet<string> s_chardevs = ["serial", "parallel", "console", "channel", "redirdev", "smartcard"];

    public void Check(ValidationContext context)
    {
        if (context.Devices is not { } devices || devices.Elements(XmlNames.Graphics).Any(g => g.Attr(XmlNames.Type) == "spice"))
        {
            return;
        }

        foreach (var device in devices.Elements().Where(d => s_chardevs.Contains(d.Name.LocalName)))
        {
            if (device.Attr(XmlNames.Type) is "spicevmc" or "spiceport")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"chardev '{device.Attr(XmlNames.Type)}' not supported without spice graphics", device, "type");
            }
        }
    }
}
