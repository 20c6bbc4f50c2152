using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// <c>&lt;cpu&gt;</c>: SVE vector lengths need SVE itself (qemuDomainDefCPUPostParse); <c>&lt;maxphysaddr&gt;</c> is an
/// x86 setting whose bits= goes with mode='emulate' only (qemuValidateDomainDefCpu).
/// </summary>
internal sealed class CpuRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        if (domain.Element(XmlNames.Cpu) is not { } cpu)
        {
            return;
        }

        var features = cpu.Elements(XmlNames.Feature).ToList();
        var sve = features.FirstOrDefault(f => f.Attr(XmlNames.Name) == "sve");
        bool vectorLengths = features.Any(f => f.Attr(XmlNames.Name) is { } name && name != "sve" && name.StartsWith("sve", StringComparison.Ordinal));
        if (vectorLengths && sve?.Attr(XmlNames.Policy) is "disable" or "forbid")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "SVE disabled, but SVE vector lengths provided", sve);
        }

        if (cpu.Element(XmlNames.Maxphysaddr) is not { } maxphysaddr)
        {
            return;
        }

        var machine = context.Machine;
        if (!machine.IsX86)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"CPU maximum physical address bits specification is not supported for '{machine.Arch}' architecture", maxphysaddr);
        }

        // mode='emulate' without bits is accepted: the hypervisor's default width applies.
        if (maxphysaddr.Attr(XmlNames.Mode) == "passthrough" && maxphysaddr.Attr(XmlNames.Bits) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "CPU maximum physical address bits number specification cannot be used with mode='passthrough'", maxphysaddr, "bits");
        }
    }
}
