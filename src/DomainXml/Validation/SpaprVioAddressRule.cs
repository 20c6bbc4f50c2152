using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// pSeries VIO addresses (<c>&lt;address type='spapr-vio' reg&gt;</c>) are 32-bit register numbers
/// (qemuValidateDomainDeviceDefAddress).
/// </summary>
internal sealed class SpaprVioAddressRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        if (!context.HasAddressType("spapr-vio"))
        {
            return;
        }

        foreach (var address in context.DeviceElements.Select(d => d.Element(XmlNames.Address)).OfType<XElement>())
        {
            if (address.Attr(XmlNames.Type) == "spapr-vio" && address.ULong(XmlNames.Reg) is { } reg && reg > uint.MaxValue)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"spapr-vio reg='0x{reg:x}' exceeds maximum possible value (0xffffffff)", address, "reg");
            }
        }
    }
}
