using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// <c>&lt;numatune&gt;</c>: a static placement names host nodes (a nodeset that is not empty); per-node bindings
/// (<c>&lt;memnode&gt;</c>) need a static placement and bind each existing guest NUMA cell once, to a nodeset; the
/// 'restrictive' mode is all or nothing between <c>&lt;memory&gt;</c> and the memnodes (libvirt's
/// virDomainNumatuneParseXML, virDomainNumatuneSet and virDomainNumatuneNodeParseXML).
/// </summary>
internal sealed class NumatuneRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        if (domain.Element(XmlNames.Numatune) is not { } numatune)
        {
            return;
        }

        var memory = numatune.Element(XmlNames.Memory);
        if (memory is not null)
        {
            CheckMemory(memory, definition.Vcpu.Placement);
        }

        var memnodes = numatune.Elements(XmlNames.Memnode).ToList();
        if (memnodes.Count == 0)
        {
            return;
        }

        if (IsAutoPlacement(memory, definition.Vcpu.Placement))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "Per-node binding is not compatible with automatic NUMA placement.", memory ?? numatune);
        }

        int cells = domain.Element(XmlNames.Cpu)?.Element(XmlNames.Numa)?.Elements(XmlNames.Cell).Count() ?? 0;
        if (cells == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Element 'memnode' is invalid without any guest NUMA cells", memnodes[0]);
        }

        bool restrictive = memory?.Attr(XmlNames.Mode) == "restrictive";
        var bound = new HashSet<uint>();
        foreach (var memnode in memnodes)
        {
            CheckMemnode(memnode, cells, restrictive, bound);
        }
    }

    private static void CheckMemory(XElement memory, VcpuPlacement vcpus)
    {
        string? nodeset = memory.Attr(XmlNames.Nodeset);
        if (nodeset is not null && CpuSet.Parse(nodeset, memory, "nodeset").Count == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Invalid value of 'nodeset': {nodeset}", memory, "nodeset");
        }

        // Without a placement the memory follows the vCPUs, unless a nodeset says where it goes.
        string? placement = memory.Attr(XmlNames.Placement);
        bool anything = placement is not null || nodeset is not null || memory.Attr(XmlNames.Mode) is not null;
        bool isStatic = placement == "static" || (placement is null && (nodeset is not null || vcpus == VcpuPlacement.Static));
        if (anything && isStatic && nodeset is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "nodeset for NUMA memory tuning must be set if 'placement' is 'static'",
                memory);
        }
    }

    private static void CheckMemnode(XElement memnode, int cells, bool restrictive, HashSet<uint> bound)
    {
        uint cellid = memnode.UInt(XmlNames.Cellid, required: true)!.Value;
        if (cellid >= cells)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                "Argument 'cellid' in memnode element must correspond to existing guest's NUMA cell", memnode, "cellid");
        }

        if (!bound.Add(cellid))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Multiple memnode elements with cellid {cellid}", memnode, "cellid");
        }

        bool nodeRestrictive = memnode.Attr(XmlNames.Mode) == "restrictive";
        if (restrictive && !nodeRestrictive)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                "'restrictive' mode is required in memnode element when mode is 'restrictive' in memory element", memnode);
        }

        string nodeset = memnode.Attr(XmlNames.Nodeset)
            ?? ThrowHelper.Throw<string>(DomainXmlErrorKind.XmlError, "Missing required nodeset attribute in memnode element", memnode);

        if (CpuSet.Parse(nodeset, memnode, "nodeset").Count == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Invalid value of 'nodeset': {nodeset}", memnode, "nodeset");
        }

        if (!restrictive && nodeRestrictive)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                "'restrictive' mode is required in memory element when mode is 'restrictive' in memnode element", memnode, "mode");
        }
    }

    /// <summary>
    /// The memory placement libvirt settles on (virDomainNumatuneSet): as written; else static with a nodeset; else
    /// that of the vCPUs.
    /// </summary>
    private static bool IsAutoPlacement(XElement? memory, VcpuPlacement vcpus)
    {
        if (memory?.Attr(XmlNames.Placement) is { } placement)
        {
            return placement == "auto";
        }

        return memory?.Attr(XmlNames.Nodeset) is null && vcpus == VcpuPlacement.Auto;
    }
}
