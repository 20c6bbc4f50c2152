using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Panic notifiers that the platform provides rather than a device (s390, pSeries firmware, Hyper-V) belong to their
/// platform and have no address to set (qemuValidateDomainDefPanic). A panic without a model is the platform's own
/// on s390 and pSeries.
/// </summary>
internal sealed class PanicRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Panic];

    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        foreach (var panic in context.Devices?.Elements(XmlNames.Panic) ?? [])
        {
            string? model = panic.Attr(XmlNames.Model) ?? (machine.IsS390 ? "s390" : machine.IsPSeries ? "pseries" : null);
            string? platformError = model switch
            {
                "s390" when !machine.IsS390 => "only S390 guests support panic device of model 's390'",
                "pseries" when !machine.IsPSeries => "only pSeries guests support panic device of model 'pseries'",
                "hyperv" when !machine.IsX86 => "only i686 and x86_64 guests support panic device of model 'hyperv'",
                _ => null,
            };
            if (platformError is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, platformError, panic, "model");
            }

            if (model is "s390" or "pseries" or "hyperv" && panic.Element(XmlNames.Address) is { } address)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"setting the panic device address is not supported for model '{model}'", address);
            }
        }
    }
}
