using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Memory;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Memory devices (<c>&lt;memory model&gt;</c>): a device plugged into a guest NUMA node names one that exists;
/// NVDIMMs and virtio-pmem are backed by a file and cannot discard; virtio-pmem is shared and outside NUMA; a pSeries
/// NVDIMM has a label and an x86 one no UUID; virtio-mem grows in power-of-two blocks of at least a huge page up to
/// its size; an SGX EPC section has no bus address (virDomainMemoryDefValidate).
/// </summary>
internal sealed class MemoryDeviceRule : IDomainRule
{
    /// <summary>The transparent huge page size libvirt assumes when it cannot ask the host, in KiB.</summary>
    private const ulong ThpKiB = 2048;

    /// <summary>The host page size libvirt aligns virtio-pmem to.</summary>
    private const ulong PageBytes = 4096;

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        int nodes = domain.Element(XmlNames.Cpu)?.Element(XmlNames.Numa)?.Elements(XmlNames.Cell).Count() ?? 0;
        var machine = context.Machine;
        var placed = new List<(ulong Start, ulong End)>();
        foreach (var memory in context.Devices?.Elements(XmlNames.Memory) ?? [])
        {
            var target = memory.Element(XmlNames.Target);
            CheckNode(target?.Element(XmlNames.Node), nodes);
            string? model = memory.Attr(XmlNames.Model);
            switch (model)
            {
                case "nvdimm":
                    CheckNvdimm(memory, target, machine);
                    break;
                case "virtio-pmem":
                    CheckPmem(memory, target);
                    break;
                case "virtio-mem":
                    CheckVirtioMem(target);
                    break;
                case "sgx-epc" when memory.Element(XmlNames.Address) is { } address:
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"memory device address is not supported for model '{model}'",
                        address);
                    break;
            }

            CheckPlacement(target, model, placed);
        }
    }

    /// <summary>
    /// Where a virtio memory device's RAM goes in the guest (<c>&lt;target&gt;&lt;address base&gt;</c>): page-aligned for
    /// virtio-pmem, block-aligned for virtio-mem, and clear of the others so placed.
    /// </summary>
    private static void CheckPlacement(XElement? target, string? model, List<(ulong Start, ulong End)> placed)
    {
        if (model is not ("virtio-pmem" or "virtio-mem") || target?.Element(XmlNames.Address) is not { } address
            || address.ULong(XmlNames.Base) is not { } start || start == 0)
        {
            return;
        }

        if (model == "virtio-pmem" && start % PageBytes != 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"memory address must be aligned to {PageBytes} bytes", address, "base");
        }

        ulong block = MemoryXml.ReadKiB(target.Element(XmlNames.Block)) ?? 0;
        if (model == "virtio-mem" && block > 0 && start % (block * 1024) != 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "memory device address must be aligned to blocksize", address, "base");
        }

        ulong end = start + (MemoryXml.ReadKiB(target.Element(XmlNames.Size)) ?? 0) * 1024;
        // libvirt checks each device against the others; the first of a pair to contain the other's start reports.
        foreach (var (otherStart, otherEnd) in placed)
        {
            var overlap = otherStart <= start && otherEnd > start ? (otherStart, otherEnd, start)
                : start <= otherStart && end > otherStart ? (start, end, otherStart)
                : ((ulong, ulong, ulong)?)null;
            if (overlap is var (from, to, other))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"memory device address [0x{from:x}:0x{to:x}] overlaps with other memory device (0x{other:x})", address, "base");
            }
        }

        placed.Add((start, end));
    }

    private static void CheckNode(XElement? node, int nodes)
    {
        if (node is null || !int.TryParse(node.Text().Trim(), out int id) || id < 0)
        {
            return;
        }

        // libvirt reports these as VIR_ERR_XML_DETAIL, whose message has no category prefix.
        if (nodes == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "can't add memory backend as guest has no NUMA nodes configured", node);
        }

        if (id >= nodes)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail,
                $"can't add memory backend for guest node '{id}' as the guest has only '{nodes}' NUMA nodes configured", node);
        }
    }

    private static void CheckNvdimm(XElement memory, XElement? target, MachineType machine)
    {
        if (memory.Element(XmlNames.Source)?.Element(XmlNames.Path) is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "path is required for model 'nvdimm'", memory.Element(XmlNames.Source) ?? memory);
        }

        if (memory.Attr(XmlNames.Discard) == "yes")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "discard is not supported for nvdimms", memory, "discard");
        }

        if (machine.IsPpc64)
        {
            if ((MemoryXml.ReadKiB(target?.Element(XmlNames.Label)?.Element(XmlNames.Size)) ?? 0) == 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "label size is required for NVDIMM device", target ?? memory);
            }
        }
        else if (memory.Element(XmlNames.Uuid) is { } uuid)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "UUID is not supported for NVDIMM device", uuid);
        }
    }

    private static void CheckPmem(XElement memory, XElement? target)
    {
        if (memory.Element(XmlNames.Source)?.Element(XmlNames.Path) is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "path is required for model 'virtio-pmem'", memory.Element(XmlNames.Source) ?? memory);
        }

        if (memory.Attr(XmlNames.Discard) == "yes")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "discard is not supported for model 'virtio-pmem'", memory, "discard");
        }

        if (memory.Attr(XmlNames.Access) != "shared")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "shared access mode required for virtio-pmem device", memory);
        }

        if (target?.Element(XmlNames.Node) is { } node)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "virtio-pmem does not support NUMA nodes", node);
        }
    }

    private static void CheckVirtioMem(XElement? target)
    {
        if (target is null)
        {
            return;
        }

        ulong size = MemoryXml.ReadKiB(target.Element(XmlNames.Size)) ?? 0;
        ulong requested = MemoryXml.ReadKiB(target.Element(XmlNames.Requested)) ?? 0;
        ulong block = MemoryXml.ReadKiB(target.Element(XmlNames.Block)) ?? 0;
        if (requested > size)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"requested size must be smaller than or equal to @size ({size}KiB)",
                target.Element(XmlNames.Requested));
        }

        if (block == 0 || (block & (block - 1)) != 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "block size must be a power of two", target.Element(XmlNames.Block) ?? target);
        }

        if (block < ThpKiB)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"block size too small, must be at least {ThpKiB}KiB", target.Element(XmlNames.Block));
        }

        if (requested % block != 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "requested size must be an integer multiple of block size",
                target.Element(XmlNames.Requested) ?? target);
        }
    }
}
