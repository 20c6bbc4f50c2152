using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml.Validation;

/// <summary>s390 and pSeries machines have no parallel port to connect a <c>&lt;parallel&gt;</c> device to (qemuValidateDomainChrDef).</summary>
internal sealed class ParallelPortRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        var machine = MachineType.Of(domain);
        if (!(machine.IsS390 || machine.IsPSeries))
        {
            return;
        }

        if (domain.Element("devices")?.Element("parallel") is { } parallel)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "parallel ports are not supported", parallel);
        }
    }
}
