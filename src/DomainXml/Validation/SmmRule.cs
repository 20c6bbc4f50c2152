using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Memory;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// The SMM TSEG size is a setting of the Q35 chipset (its MCH), in whole MiB (qemuDomainDefTsegPostParse).
/// </summary>
internal sealed class SmmRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        if (domain.Element(XmlNames.Features)?.Element(XmlNames.Smm) is not { } smm || smm.Attr(XmlNames.State) != "on"
            || smm.Element(XmlNames.Tseg) is not { } tseg)
        {
            return;
        }

        if (!context.Machine.IsQ35)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "SMM TSEG is only supported with q35 machine type", tseg);
        }

        const ulong MiB = 1024 * 1024;
        if (ulong.TryParse(tseg.Text().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong size)
            && MemoryUnits.Scale(tseg.Attr(XmlNames.Unit), MiB) is { } scale && (UInt128)size * scale % MiB != 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "SMM TSEG size must be divisible by 1 MiB", tseg);
        }
    }
}
