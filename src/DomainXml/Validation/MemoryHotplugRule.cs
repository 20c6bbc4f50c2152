using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Memory;
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
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        int nodes = domain.Element(XmlNames.Cpu)?.Element(XmlNames.Numa)?.Elements(XmlNames.Cell).Count() ?? 0;
        if (domain.Element(XmlNames.MaxMemory) is { } maxMemory && (definition.Memory.MaxKiB > 0 || definition.Memory.Slots > 0)
            && nodes == 0 && !context.Machine.IsPpc64)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "At least one numa node has to be configured when enabling memory hotplug", maxMemory);
        }

        CheckHugepages(domain.Element(XmlNames.MemoryBacking)?.Element(XmlNames.Hugepages), nodes);
    }

    /// <summary>
    /// One hugepage size without a nodeset is the default for all memory; sized pages bound to nodes do not overlap
    /// and name existing nodes. Without guest NUMA, node 0 is the whole guest, so nodeset='0' means all memory
    /// (virDomainDefPostParseMemtune).
    /// </summary>
    private static void CheckHugepages(XElement? hugepages, int nodes)
    {
        var pages = new List<(XElement Page, ulong Size, SortedSet<int>? Nodes)>();
        foreach (var page in hugepages?.Elements(XmlNames.Page) ?? [])
        {
            var set = page.Attr(XmlNames.Nodeset) is { } nodeset ? CpuSet.Parse(nodeset, page, "nodeset") : null;
            if (nodes == 0 && set is not null && !set.Any(n => n > 0))
            {
                set = null;
            }

            ulong size = MemoryXml.ReadKiB(page, "size", "unit") ?? 0;
            foreach (var (_, otherSize, otherNodes) in pages)
            {
                // libvirt reports these as VIR_ERR_XML_DETAIL, whose message has no category prefix.
                if (set is not null && otherNodes is not null && set.Overlaps(otherNodes))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.Detail,
                        $"nodeset attribute of hugepages of sizes {size} and {otherSize} intersect", page, "nodeset");
                }

                if (set is null && otherNodes is null)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"two master hugepages detected: {size} and {otherSize}", page);
                }
            }

            pages.Add((page, size, set));
            int missing = set?.FirstOrDefault(n => n >= nodes, -1) ?? -1;
            if (missing >= 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"hugepages: node {missing} not found", page, "nodeset");
            }
        }
    }
}
