using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// egl-headless renders OpenGL for a VNC or SPICE display; it cannot be combined with other graphics types, nor with
/// a SPICE display that renders OpenGL itself (libvirt's qemuValidateDomainDeviceDefGraphics).
/// </summary>
internal sealed class GraphicsRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        if (!definition.Devices.Graphics.Any(g => g.Type == "egl-headless") || domain.Element("devices") is not { } devices)
        {
            return;
        }

        foreach (var graphics in devices.Elements("graphics"))
        {
            string? type = graphics.Attr("type");
            if (type is not ("egl-headless" or "vnc" or "spice"))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "graphics type 'egl-headless' is only supported with one of: 'vnc', 'spice' graphics types", graphics, "type");
            }

            if (type == "spice" && graphics.Element("gl")?.Attr("enable") == "yes")
            {
                // libvirt ends this with "by QEMU"; the message states the limit without naming an emulator.
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "multiple OpenGL displays are not supported", graphics.Element("gl"));
            }
        }
    }
}
