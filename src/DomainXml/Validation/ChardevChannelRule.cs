using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Character devices carried over a display connection (spiceport, dbus) name their channel, in the characters a
/// channel name may have; an nmdm pair names both ends; a smartcard sits on a CCID bus (virDomainChrSourceDefValidate,
/// virDomainSmartcardDefValidate).
/// </summary>
internal sealed class ChardevChannelRule : IDomainRule
{
    private const string ChannelChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";

    private static readonly HashSet<string> s_chardevs = ["serial", "parallel", "console", "channel", "redirdev", "smartcard"];

    public void Check(ValidationContext context)
    {
        foreach (var device in context.DeviceElements.Where(d => s_chardevs.Contains(d.Name.LocalName)))
        {
            var source = device.Element(XmlNames.Source);
            switch (device.Attr(XmlNames.Type))
            {
                // A redirected USB device over D-Bus gets the usbredir channel (virDomainRedirdevDefParseXML).
                case "dbus" when device.Name.LocalName == "redirdev" && source?.Attr(XmlNames.Channel) is null:
                    break;
                case "spiceport" or "dbus":
                    string channel = source?.Attr(XmlNames.Channel) ?? ThrowHelper.Throw<string>(DomainXmlErrorKind.ConfigUnsupported,
                        "Missing source channel attribute for char device", source ?? device);

                    if (channel.Any(c => !ChannelChars.Contains(c)))
                    {
                        ThrowHelper.Throw(DomainXmlErrorKind.InvalidArgument, "Invalid character in source channel for char device",
                            source, "channel");
                    }

                    break;
                case "nmdm" when (source?.Attr(XmlNames.Master) is null) != (source?.Attr(XmlNames.Slave) is null):
                    ThrowHelper.Throw(DomainXmlErrorKind.InternalError,
                        "Should define both master and slave path attributes for nmdm device", source);
                    break;
            }

            if (device.Name.LocalName == "smartcard" && device.Element(XmlNames.Address)?.Attr(XmlNames.Type) is { } type && type != "ccid")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Controllers must use the 'ccid' address type",
                    device.Element(XmlNames.Address), "type");
            }
        }
    }
}
