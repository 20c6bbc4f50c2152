using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// <c>&lt;numatune&gt;</c>: per-node bindings (<c>&lt;memnode&gt;</c>) need a static placement, and the 'restrictive'
/// mode is all or nothing between <c>&lt;memory&gt;</c> and the memnodes (libvirt's virDomainNumatuneNodeParseXML).
/// </summary>
internal sealed class NumatuneRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        if (domain.Element("numatune") is not { } numatune || !numatune.Elements("memnode").Any())
        {
            return;
        }

        var memory = numatune.Element("memory");
        if (IsAutoPlacement(memory, definition.Vcpu.Placement))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "Per-node binding is not compatible with automatic NUMA placement.", memory ?? numatune);
        }

        bool restrictive = memory?.Attr("mode") == "restrictive";
        foreach (var memnode in numatune.Elements("memnode"))
        {
            bool nodeRestrictive = memnode.Attr("mode") == "restrictive";
            if (restrictive && !nodeRestrictive)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    "'restrictive' mode is required in memnode element when mode is 'restrictive' in memory element", memnode);
            }

            if (!restrictive && nodeRestrictive)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    "'restrictive' mode is required in memory element when mode is 'restrictive' in memnode element", memnode, "mode");
            }
        }
    }

    /// <summary>
    /// The memory placement libvirt settles on (virDomainNumatuneSet): as written; else static with a nodeset; else
    /// that of the vCPUs.
    /// </summary>
    private static bool IsAutoPlacement(XElement? memory, VcpuPlacement vcpus)
    {
        if (memory?.Attr("placement") is { } placement)
        {
            return placement == "auto";
        }

        return memory?.Attr("nodeset") is null && vcpus == VcpuPlacement.Auto;
    }
}
