using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// <c>&lt;features&gt;&lt;ps2 state='off'/&gt;</c> removes the i8042 controller, so no input device can sit on the PS/2 bus
/// (libvirt's input validation for the ps2 feature).
/// </summary>
internal sealed class Ps2InputRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        if (domain.Element(XmlNames.Features)?.Element(XmlNames.Ps2)?.Attr(XmlNames.State) != "off")
        {
            return;
        }

        // Only an explicit bus='ps2' counts: without the i8042, a mouse or keyboard without a bus can go elsewhere.
        foreach (var input in context.Devices?.Elements(XmlNames.Input) ?? [])
        {
            if (input.Attr(XmlNames.Bus) == "ps2")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "ps2 bus inputs require the ps2 feature not to be disabled", input, "bus");
            }
        }
    }
}
