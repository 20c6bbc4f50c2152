using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>s390 and pSeries machines have no parallel port to connect a <c>&lt;parallel&gt;</c> device to (qemuValidateDomainChrDef).</summary>
internal sealed class ParallelPortRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        if (!(machine.IsS390 || machine.IsPSeries))
        {
            return;
        }

        if (context.Devices?.Element(XmlNames.Parallel) is { } parallel)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "parallel ports are not supported", parallel);
        }
    }
}
