using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Mediated devices: a vfio-pci mdev sits on PCI and a vfio-ccw one on the channel subsystem; a vGPU shows its display
/// through one of the domain's graphics devices, and only one vGPU can drive the boot framebuffer (ramfb); a domain has
/// one vfio-ap crypto adapter at most (virDomainHostdevDefPostParse, virDomainDefHostdevValidate,
/// qemuValidateDomainMdevDefVFIOPCI, qemuValidateDomainMdevDefVFIOAP).
/// </summary>
internal sealed class MdevRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Hostdev];

    public void Check(ValidationContext context)
    {
        if (context.Devices is not { } devices)
        {
            return;
        }

        var mdevs = devices.Elements(XmlNames.Hostdev)
            .Where(h => (h.Attr(XmlNames.Mode) ?? "subsystem") == "subsystem" && h.Attr(XmlNames.Type) == "mdev").ToList();
        foreach (var mdev in mdevs)
        {
            string? model = mdev.Attr(XmlNames.Model);
            string? expected = model switch
            {
                "vfio-pci" => "pci",
                "vfio-ccw" => "ccw",
                _ => null,
            };
            if (expected is not null && mdev.Element(XmlNames.Address)?.Attr(XmlNames.Type) is { } type && type != expected)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Unsupported address type '{type}' with mediated device model '{model}'",
                    mdev.Element(XmlNames.Address), "type");
            }
        }

        if (mdevs.Where(m => m.Attr(XmlNames.Ramfb) == "on").Skip(1).FirstOrDefault() is { } second)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Only one vgpu device can have 'ramfb' enabled", second, "ramfb");
        }

        foreach (var mdev in mdevs.Where(m => m.Attr(XmlNames.Model) == "vfio-pci"))
        {
            if (mdev.Attr(XmlNames.Display) == "on" && !devices.Elements(XmlNames.Graphics).Any())
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "graphics device is needed for attribute value 'display=on' in <hostdev>", mdev, "display");
            }
        }

        if (mdevs.Where(m => m.Attr(XmlNames.Model) == "vfio-ap").Skip(1).FirstOrDefault() is { } secondAp)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Only one hostdev of model vfio-ap is supported", secondAp);
        }
    }
}
