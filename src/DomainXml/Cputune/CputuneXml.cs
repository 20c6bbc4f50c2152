using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Cputune;

/// <summary>
/// <c>&lt;cputune&gt;</c>: scheduler settings split per vCPU / I/O thread as libvirt stores them, and the resctrl
/// rules of <c>&lt;cachetune&gt;</c> and <c>&lt;memorytune&gt;</c> (vCPU ranges clipped to the domain, no overlaps).
/// </summary>
internal static class CputuneXml
{
    public static void PostParse(XElement domain, uint maxVcpus, DomainParseFlags flags)
    {
        if (domain.Element(XmlNames.Cputune) is not { } cputune)
        {
            return;
        }

        SplitScheduler(cputune, "vcpusched", "vcpus", sortById: true);
        SplitScheduler(cputune, "iothreadsched", "iothreads", sortById: true);
        foreach (var name in new[] { "cachetune", "memorytune" })
        {
            foreach (var tune in cputune.Elements(name).ToList())
            {
                var vcpus = CpuSet.Parse(tune.RequiredAttr(XmlNames.Vcpus), tune, "vcpus");
                vcpus.RemoveWhere(v => v >= maxVcpus);
                if (vcpus.Count == 0)
                {
                    // libvirt ignores a tune whose vCPUs the domain does not have.
                    tune.Remove();
                    continue;
                }

                tune.Set(XmlNames.Vcpus, CpuSet.Format(vcpus));
                if ((flags & DomainParseFlags.Inactive) != 0)
                {
                    tune.Set(XmlNames.Id, null);
                }
            }
        }
    }

    public static void Validate(XElement domain)
    {
        if (domain.Element(XmlNames.Cputune) is not { } cputune)
        {
            return;
        }

        var cachetunes = new List<(XElement Element, SortedSet<int> Vcpus)>();
        foreach (var tune in cputune.Elements(XmlNames.Cachetune))
        {
            var vcpus = CpuSet.Parse(tune.RequiredAttr(XmlNames.Vcpus), tune, "vcpus");
            foreach (var (_, other) in cachetunes)
            {
                if (other.Overlaps(vcpus))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Overlapping vcpus in cachetunes", tune, "vcpus");
                }
            }

            cachetunes.Add((tune, vcpus));
            var caches = new List<(string Id, string Level, string Type)>();
            foreach (var cache in tune.Elements(XmlNames.Cache))
            {
                var key = (cache.RequiredAttr(XmlNames.Id), cache.RequiredAttr(XmlNames.Level), cache.RequiredAttr(XmlNames.Type));
                foreach (var c in caches)
                {
                    if (c.Id == key.Item1 && c.Level == key.Item2 && (c.Type == key.Item3 || c.Type == "both" || key.Item3 == "both"))
                    {
                        ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                            $"Cache allocation for id {key.Item1}, level {key.Item2}, type {key.Item3} collides with another one",
                            cache);
                    }
                }

                caches.Add(key);
            }

            ValidateMonitors(tune, vcpus);
        }

        var memorytunes = new List<SortedSet<int>>();
        foreach (var tune in cputune.Elements(XmlNames.Memorytune))
        {
            var vcpus = CpuSet.Parse(tune.RequiredAttr(XmlNames.Vcpus), tune, "vcpus");
            foreach (var other in memorytunes)
            {
                if (other.Overlaps(vcpus))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Overlapping vcpus in memorytunes", tune, "vcpus");
                }
            }

            memorytunes.Add(vcpus);
            foreach (var (_, cacheVcpus) in cachetunes)
            {
                if (cacheVcpus.Overlaps(vcpus) && !cacheVcpus.SetEquals(vcpus))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Overlapping vcpus in memorytunes", tune, "vcpus");
                }
            }

            var nodes = new HashSet<string>();
            foreach (var node in tune.Elements(XmlNames.Node))
            {
                if (!nodes.Add(node.RequiredAttr(XmlNames.Id)))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                        $"Memory bandwidth for node {node.Attr(XmlNames.Id)} is already set", node);
                }
            }

            ValidateMonitors(tune, vcpus);
        }
    }

    private static void ValidateMonitors(XElement tune, SortedSet<int> vcpus)
    {
        foreach (var monitor in tune.Elements(XmlNames.Monitor))
        {
            var monitored = CpuSet.Parse(monitor.RequiredAttr(XmlNames.Vcpus), monitor, "vcpus");
            if (!monitored.IsSubsetOf(vcpus))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    "Monitor vcpus conflicts with allocation", monitor, "vcpus");
            }
        }
    }

    /// <summary>libvirt keeps scheduler settings per vCPU (per I/O thread) and writes one element for each.</summary>
    private static void SplitScheduler(XElement cputune, string element, string attribute, bool sortById)
    {
        var entries = cputune.Elements(element).ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var split = new List<(int Id, int Order, XElement Element)>();
        int order = 0;
        var seen = new HashSet<int>();
        foreach (var entry in entries)
        {
            foreach (int id in CpuSet.Parse(entry.RequiredAttr(attribute), entry, attribute))
            {
                if (!seen.Add(id))
                {
                    // libvirt reports this as VIR_ERR_XML_DETAIL, whose message has no category prefix.
                    ThrowHelper.Throw(DomainXmlErrorKind.Detail,
                        $"'{element}' attributes '{attribute}' must not overlap", entry, attribute);
                }

                var copy = new XElement(entry);
                copy.Set(attribute, id.ToString(CultureInfo.InvariantCulture));
                split.Add((id, order++, copy));
            }
        }

        if (sortById)
        {
            split.Sort((a, b) => a.Id.CompareTo(b.Id));
        }

        entries[0].AddBeforeSelf(split.Select(s => s.Element));
        foreach (var entry in entries)
        {
            entry.Remove();
        }
    }
}
