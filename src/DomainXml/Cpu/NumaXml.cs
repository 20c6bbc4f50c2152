using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Memory;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Cpu;

/// <summary>
/// <c>&lt;cpu&gt;&lt;numa&gt;&lt;cell&gt;</c>: the guest NUMA cells, with libvirt's parse-time checks (virDomainNumaDefParseXML
/// and the vCPU count checks after it). Distances, caches and interconnects stay in the document untyped.
/// </summary>
internal static class NumaXml
{
    internal static readonly XmlEnum<NumaMemAccess> s_memAccess = new(
        (NumaMemAccess.Shared, "shared"),
        (NumaMemAccess.Private, "private"));

    public static IReadOnlyList<NumaCellDef> Parse(XElement cpu, uint maxVcpus)
    {
        if (cpu.Element(XmlNames.Numa) is not { } numa)
        {
            return [];
        }

        var elements = numa.Elements(XmlNames.Cell).ToList();
        if (elements.Count == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "NUMA topology defined without NUMA cells", numa);
        }

        var cells = new NumaCellDef?[elements.Count];
        for (int i = 0; i < elements.Count; i++)
        {
            var cell = elements[i];
            uint id = cell.UInt(XmlNames.Id) ?? (uint)i;
            if (id >= cells.Length)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    "Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges or ranges not starting from 0 are not allowed",
                    cell, "id");
            }

            if (cells[id] is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Duplicate NUMA cell info for cell id '{id}'", cell, "id");
            }

            var cpus = cell.Attr(XmlNames.Cpus) is { } text ? CpuSet.Parse(text, cell, "cpus") : new SortedSet<int>();
            for (int j = 0; j < cells.Length; j++)
            {
                if (cells[j] is { } other && other.Cpus.Overlaps(cpus))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"NUMA cells {id} and {j} have overlapping vCPU ids", cell, "cpus");
                }
            }

            if (cell.Attr(XmlNames.Memory) is null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "missing element or attribute './@memory'", cell);
            }

            cells[id] = new NumaCellDef
            {
                Id = id,
                Cpus = cpus,
                MemoryKiB = MemoryXml.ReadKiB(cell, "memory", "unit")!.Value,
                MemAccess = cell.Enum(XmlNames.MemAccess, s_memAccess),
                Discard = cell.YesNo(XmlNames.Discard),
            };
        }

        var result = cells.Select(c => c!).ToList();
        CheckVcpus(result, maxVcpus, numa);
        return result;
    }

    /// <summary>The cells' vCPUs must exist: no more of them than vCPUs, none beyond the last.</summary>
    private static void CheckVcpus(List<NumaCellDef> cells, uint maxVcpus, XElement numa)
    {
        long count = cells.Sum(c => (long)c.Cpus.Count);
        if (count > maxVcpus)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Number of CPUs in <numa> exceeds the <vcpu> count", numa);
        }

        if (cells.Where(c => c.Cpus.Count > 0).Select(c => c.Cpus.Max()).DefaultIfEmpty(-1).Max() >= maxVcpus)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "CPU IDs in <numa> exceed the <vcpu> count", numa);
        }
    }
}
