using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// The BIOS's serial console (<c>&lt;os&gt;&lt;bios useserial='yes'/&gt;</c>) is SeaBIOS's serial graphics adapter:
/// an x86 feature that writes to the first serial port, so the domain has one (qemuValidateDomainDef).
/// </summary>
internal sealed class BiosSerialRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        if (domain.Element(XmlNames.Os)?.Element(XmlNames.Bios) is not { } bios || bios.Attr(XmlNames.Useserial) != "yes")
        {
            return;
        }

        if (!context.Machine.IsX86)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "BIOS serial console only supported on x86 architectures", bios, "useserial");
        }

        // A console of the serial kind brings its serial port along (virDomainDefAddConsoleCompat).
        var devices = context.Devices;
        bool serial = devices?.Element(XmlNames.Serial) is not null
            || (devices?.Elements(XmlNames.Console).Any(c => c.Element(XmlNames.Target)?.Attr(XmlNames.Type) is null or "serial") ?? false);
        if (!serial)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "need at least one serial port to use BIOS serial output", bios, "useserial");
        }
    }
}
