using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// <c>&lt;cpu&gt;&lt;cache&gt;</c> describes x86 CPUID cache leaves: an emulated L3 cache (level 3 only), the host's
/// caches passed through (all levels, for a host-passthrough or maximum CPU) or none (all levels)
/// (qemuValidateDomainDefCpu).
/// </summary>
internal sealed class CpuCacheRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Cache];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        if (domain.Element(XmlNames.Cpu)?.Element(XmlNames.Cache) is not { } cache)
        {
            return;
        }

        var machine = context.Machine;
        if (!machine.IsX86)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"CPU cache specification is not supported for '{machine.Arch}' architecture", cache);
        }

        string? mode = cache.Attr(XmlNames.Mode);
        bool level = cache.Attr(XmlNames.Level) is not null;
        if (mode == "emulate" && cache.Int(XmlNames.Level) != 3)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "CPU cache mode 'emulate' can only be used with level='3'", cache,
                level ? "level" : null);
        }

        if (mode == "passthrough" && definition.Cpu?.Mode is not (CpuMode.HostPassthrough or CpuMode.Maximum))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "CPU cache mode 'passthrough' can only be used with 'host-passthrough' / 'maximum' CPUs", cache, "mode");
        }

        if (mode is "passthrough" or "disable" && level)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported CPU cache level for mode '{mode}'", cache, "level");
        }
    }
}
