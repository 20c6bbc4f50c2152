using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// The <c>&lt;nvram&gt;</c> device is pSeries' VIO non-volatile RAM, so it exists on pSeries only and sits at a
/// spapr-vio register (qemuValidateDomainDeviceDefNVRAM).
/// </summary>
internal sealed class NvramDeviceRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Nvram];

    public void Check(ValidationContext context)
    {
        if (context.Devices?.Element(XmlNames.Nvram) is not { } nvram)
        {
            return;
        }

        if (!context.Machine.IsPSeries)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "nvram device is only supported for PPC64", nvram);
        }

        // Without an address, pSeries assigns a VIO register (qemuDomainAssignSpaprVIOAddresses).
        if (nvram.Element(XmlNames.Address) is { } address && address.Attr(XmlNames.Type) != "spapr-vio")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "nvram address type must be spaprvio", address, "type");
        }
    }
}
