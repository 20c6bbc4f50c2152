using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// egl-headless renders OpenGL for a VNC or SPICE display; it cannot be combined with other graphics types, nor with
/// a SPICE display that renders OpenGL itself; a VNC password has at most 8 characters (the protocol's DES key); a
/// D-Bus display is either peer-to-peer or on a bus address, and plays the audio of a D-Bus audio back end
/// (libvirt's qemuValidateDomainDeviceDefGraphics, virDomainGraphicsDefValidate).
/// </summary>
internal sealed class GraphicsRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Graphics];

    public void Check(ValidationContext context)
    {
        var definition = context.Definition;
        if (context.Devices is not { } devices)
        {
            return;
        }

        foreach (var graphics in devices.Elements(XmlNames.Graphics))
        {
            CheckDisplay(graphics, devices);
        }

        if (!definition.Devices.Graphics.Any(g => g.Type == "egl-headless"))
        {
            return;
        }

        foreach (var graphics in devices.Elements(XmlNames.Graphics))
        {
            string? type = graphics.Attr(XmlNames.Type);
            if (type is not ("egl-headless" or "vnc" or "spice"))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "graphics type 'egl-headless' is only supported with one of: 'vnc', 'spice' graphics types", graphics, "type");
            }

            if (type == "spice" && graphics.Element(XmlNames.Gl)?.Attr(XmlNames.Enable) == "yes")
            {
                // libvirt ends this with "by QEMU"; the message states the limit without naming an emulator.
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "multiple OpenGL displays are not supported", graphics.Element(XmlNames.Gl));
            }
        }
    }

    private static void CheckDisplay(XElement graphics, XElement devices)
    {
        string? type = graphics.Attr(XmlNames.Type);
        if (type == "vnc" && graphics.Attr(XmlNames.Passwd) is { Length: > 8 } password)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"VNC password is {password.Length} characters long, only 8 permitted", graphics, "passwd");
        }

        if (type != "dbus")
        {
            return;
        }

        if (graphics.Attr(XmlNames.P2p) == "yes" && graphics.Attr(XmlNames.Address) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "D-Bus p2p with an address is not supported", graphics, "address");
        }

        if (graphics.Element(XmlNames.Audio)?.UInt(XmlNames.Id) is { } id && id > 0
            && devices.Elements(XmlNames.Audio).FirstOrDefault(a => a.UInt(XmlNames.Id) == id) is { } audio && audio.Attr(XmlNames.Type) != "dbus")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "The associated audio is not of 'dbus' kind.", graphics.Element(XmlNames.Audio));
        }
    }
}
