using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Memory;

/// <summary><c>&lt;memory&gt;</c>, <c>&lt;currentMemory&gt;</c>, <c>&lt;maxMemory&gt;</c>: units parsed, KiB written.</summary>
internal static class MemoryXml
{
    public static MemoryDef Parse(XElement domain)
    {
        ulong? total = ReadKiB(domain.Element(XmlNames.Memory));
        ulong current = ReadKiB(domain.Element(XmlNames.CurrentMemory)) ?? 0;
        var maxElement = domain.Element(XmlNames.MaxMemory);
        ulong? max = ReadKiB(maxElement);
        uint? slots = maxElement?.UInt(XmlNames.Slots);
        bool? dumpCore = domain.Element(XmlNames.Memory)?.OnOff(XmlNames.DumpCore);
        return new MemoryDef(total ?? 0, current, max, slots, dumpCore);
    }

    /// <summary>libvirt's virDomainDefPostParseMemory: NUMA cells and memory devices, currentMemory defaults.</summary>
    public static MemoryDef PostParse(MemoryDef memory, XElement domain)
    {
        ulong numa = 0;
        if (domain.Element(XmlNames.Cpu)?.Element(XmlNames.Numa) is { } numaElement)
        {
            foreach (var cell in numaElement.Elements(XmlNames.Cell))
            {
                numa += ReadKiB(cell, "memory", "unit") ?? 0;
            }
        }

        ulong hotplug = 0;
        if (domain.Element(XmlNames.Devices) is { } devices)
        {
            foreach (var mem in devices.Elements(XmlNames.Memory))
            {
                hotplug += ReadKiB(mem.Element(XmlNames.Target)?.Element(XmlNames.Size)) ?? 0;
            }
        }

        ulong initial;
        if (numa > 0)
        {
            initial = numa;
        }
        else
        {
            if (hotplug > memory.TotalKiB)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    "Total size of memory devices exceeds the total memory size", domain.Element(XmlNames.Memory));
            }

            initial = memory.TotalKiB - hotplug;
        }

        if (initial == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                "Memory size must be specified via <memory> or in the <numa> configuration", domain);
        }

        ulong total = initial + hotplug;
        ulong current = memory.CurrentKiB == 0 || memory.CurrentKiB > total ? total : memory.CurrentKiB;
        if (memory.MaxKiB is { } max && max > 0 && max < total)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                "maximum memory size must be equal or greater than the actual memory size", domain.Element(XmlNames.MaxMemory));
        }

        return memory with { TotalKiB = total, CurrentKiB = current };
    }

    public static void Format(MemoryDef memory, XElement domain)
    {
        SetKiB(domain, "memory", memory.TotalKiB);
        SetKiB(domain, "currentMemory", memory.CurrentKiB);
        if (memory.MaxKiB is { } max && domain.Element(XmlNames.MaxMemory) is not null)
        {
            SetKiB(domain, "maxMemory", max);
        }
    }

    private static void SetKiB(XElement domain, string name, ulong kib)
    {
        var element = General.GeneralXml.SetChildText(domain, name, kib.ToString(CultureInfo.InvariantCulture));
        element.Set(XmlNames.Unit, "KiB");
    }

    /// <summary>Reads a scaled size from an element's text and its <c>unit</c> attribute, in KiB.</summary>
    public static ulong? ReadKiB(XElement? element)
    {
        if (element is null)
        {
            return null;
        }

        string text = element.Text().Trim();
        if (!XmlRead.TryParseULong(text, out ulong value))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value '{text}' for element or attribute '{element.Name.LocalName}'", element);
        }

        return ToKiB(element, value, element.Attr(XmlNames.Unit), "unit");
    }

    /// <summary>Reads a scaled size from an attribute pair such as <c>memory</c>/<c>unit</c>, in KiB.</summary>
    public static ulong? ReadKiB(XElement element, string valueAttribute, string unitAttribute)
    {
        ulong? value = element.ULong(valueAttribute);
        return value is null ? null : ToKiB(element, value.Value, element.Attr(unitAttribute), unitAttribute);
    }

    private static ulong ToKiB(XElement element, ulong value, string? unit, string unitAttribute)
    {
        if (!MemoryUnits.TryToKiB(value, unit, out ulong kib, out string? error))
        {
            ThrowHelper.Throw(MemoryUnits.ErrorKindFor(error!), error!, element, unit is null ? null : unitAttribute);
        }

        return kib;
    }
}
