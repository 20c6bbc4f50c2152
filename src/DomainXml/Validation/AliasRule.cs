using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// User aliases (<c>&lt;alias name='ua-…'/&gt;</c>) name one device each, so tools can find it; a console that
/// describes the first serial port again shares that port's alias (virDomainDefValidateAliases).
/// </summary>
internal sealed class AliasRule : IDomainRule
{
    private const string UserAliasPrefix = "ua-";

    public XName[] Triggers { get; } = [XmlNames.Alias];

    public void Check(ValidationContext context)
    {
        if (context.Devices is not { } devices)
        {
            return;
        }

        var firstSerial = devices.Element(XmlNames.Serial);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in context.DeviceElements)
        {
            if (device.Element(XmlNames.Alias)?.Attr(XmlNames.Name) is not { } alias || !alias.StartsWith(UserAliasPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            bool serialConsole = device.Name.LocalName == "console" && firstSerial is not null
                && device.Element(XmlNames.Target)?.Attr(XmlNames.Type) is null or "serial";
            if (serialConsole && firstSerial!.Element(XmlNames.Alias)?.Attr(XmlNames.Name) == alias)
            {
                continue;
            }

            if (!seen.Add(alias))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"non unique alias detected: {alias}", device.Element(XmlNames.Alias), "name");
            }
        }
    }
}
