using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Memory against the guest NUMA topology: memory hotplug (<c>&lt;maxMemory&gt;</c>) needs NUMA nodes written out, as
/// the guest would otherwise get a single node nobody asked for (ppc64 guests hotplug without; libvirt's
/// qemuDomainDefValidateMemoryHotplug), and a hugepage size bound to NUMA nodes names existing nodes
/// (virDomainDefMemtuneValidate).
/// </summary>
internal sealed class MemoryHotplugRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        int nodes = domain.Element("cpu")?.Element("numa")?.Elements("cell").Count() ?? 0;
        if (domain.Element("maxMemory") is { } maxMemory && (definition.Memory.MaxKiB > 0 || definition.Memory.Slots > 0)
            && nodes == 0 && !MachineType.Of(domain).IsPpc64)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "At least one numa node has to be configured when enabling memory hotplug", maxMemory);
        }

        foreach (var page in domain.Element("memoryBacking")?.Element("hugepages")?.Elements("page") ?? [])
        {
            if (page.Attr("nodeset") is not { } nodeset)
            {
                continue;
            }

            int missing = CpuSet.Parse(nodeset, page, "nodeset").FirstOrDefault(n => n >= nodes, -1);
            if (missing >= 0)
            {
                // libvirt reports this as VIR_ERR_XML_DETAIL, whose message has no category prefix.
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"hugepages: node {missing} not found", page, "nodeset");
            }
        }
    }
}
