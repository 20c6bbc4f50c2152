using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Cpu;

/// <summary>
/// <c>&lt;cpu&gt;</c> of a domain (a guest CPU): the typed view, with libvirt's parse-time checks (virCPUDefParseXML).
/// Parse only; the element stays as written.
/// </summary>
internal static class CpuXml
{
    internal static readonly XmlEnum<CpuMode> s_mode = new(
        (CpuMode.Custom, "custom"),
        (CpuMode.HostModel, "host-model"),
        (CpuMode.HostPassthrough, "host-passthrough"),
        (CpuMode.Maximum, "maximum"));

    internal static readonly XmlEnum<CpuMatch> s_match = new(
        (CpuMatch.Exact, "exact"),
        (CpuMatch.Minimum, "minimum"),
        (CpuMatch.Strict, "strict"));

    internal static readonly XmlEnum<CpuCheck> s_check = new(
        (CpuCheck.Default, "default"),
        (CpuCheck.None, "none"),
        (CpuCheck.Partial, "partial"),
        (CpuCheck.Full, "full"));

    internal static readonly XmlEnum<CpuFallback> s_fallback = new(
        (CpuFallback.Allow, "allow"),
        (CpuFallback.Forbid, "forbid"));

    internal static readonly XmlEnum<CpuFeaturePolicy> s_policy = new(
        (CpuFeaturePolicy.Force, "force"),
        (CpuFeaturePolicy.Require, "require"),
        (CpuFeaturePolicy.Optional, "optional"),
        (CpuFeaturePolicy.Disable, "disable"),
        (CpuFeaturePolicy.Forbid, "forbid"));

    private static readonly HashSet<string> s_cacheModes = ["emulate", "passthrough", "disable"];
    private static readonly HashSet<string> s_maxPhysAddrModes = ["emulate", "passthrough"];

    /// <summary>VIR_CPU_VENDOR_ID_LENGTH.</summary>
    private const int VendorIdLength = 12;

    public static CpuDef? Parse(XElement domain, uint maxVcpus)
    {
        if (domain.Element(XmlNames.Cpu) is not { } cpu)
        {
            return null;
        }

        var mode = CpuMode.Custom;
        if (cpu.Attr(XmlNames.Mode) is { } modeText && !s_mode.TryParse(modeText, out mode))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Invalid mode attribute '{modeText}'", cpu, "mode");
        }

        bool freeModel = mode is CpuMode.HostPassthrough or CpuMode.Maximum;
        bool? migratable = cpu.OnOff(XmlNames.Migratable);
        if (migratable is not null && !freeModel)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode", cpu, "migratable");
        }

        var result = new CpuDef
        {
            Mode = mode,
            Migratable = migratable,
            Match = cpu.Enum(XmlNames.Match, s_match),
            Check = cpu.Enum(XmlNames.Check, s_check) ?? CpuCheck.Default,
        };

        var model = cpu.Element(XmlNames.Model);
        string? modelName = NonEmpty(model?.Text());
        if (model is not null && !freeModel)
        {
            result = result with { Fallback = ReadFallback(model), VendorId = ReadVendorId(model) };
        }

        string? vendor = NonEmpty(cpu.Element(XmlNames.Vendor)?.Text());
        if (vendor is not null && modelName is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "CPU vendor specified without CPU model", cpu.Element(XmlNames.Vendor));
        }

        result = result with
        {
            Model = modelName,
            Vendor = vendor,
            Topology = cpu.Element(XmlNames.Topology) is { } topology ? ReadTopology(topology) : null,
            Features = ReadFeatures(cpu, mode == CpuMode.Custom && modelName is null),
        };
        CheckCache(cpu);
        CheckMaxPhysAddr(cpu.Element(XmlNames.Maxphysaddr));
        return result with { NumaCells = NumaXml.Parse(cpu, maxVcpus) };
    }

    private static CpuFallback? ReadFallback(XElement model)
    {
        if (model.Attr(XmlNames.Fallback) is not { } text)
        {
            return null;
        }

        if (!s_fallback.TryParse(text, out var fallback))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Invalid fallback attribute", model, "fallback");
        }

        return fallback;
    }

    private static string? ReadVendorId(XElement model)
    {
        if (model.Attr(XmlNames.VendorId) is not { } vendorId)
        {
            return null;
        }

        if (vendorId.Length != VendorIdLength)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"vendor_id must be exactly {VendorIdLength} characters long", model, "vendor_id");
        }

        // The id goes on QEMU's command line, where a comma would start the next option.
        if (vendorId.Contains(','))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "vendor id is invalid", model, "vendor_id");
        }

        return vendorId;
    }

    /// <summary>Sockets, cores and threads are required; dies and clusters default to 1; none may be 0.</summary>
    private static CpuTopology ReadTopology(XElement topology) => new(
        topology.NonZeroUInt("sockets", required: true)!.Value,
        topology.NonZeroUInt("dies") ?? 1,
        topology.NonZeroUInt("clusters") ?? 1,
        topology.NonZeroUInt("cores", required: true)!.Value,
        topology.NonZeroUInt("threads", required: true)!.Value);

    private static List<CpuFeatureDef> ReadFeatures(XElement cpu, bool customWithoutModel)
    {
        var features = new List<CpuFeatureDef>();
        foreach (var feature in cpu.Elements(XmlNames.Feature))
        {
            if (customWithoutModel)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Non-empty feature list specified without CPU model", feature);
            }

            var policy = CpuFeaturePolicy.Require;
            if (feature.Attr(XmlNames.Policy) is { } policyText && !s_policy.TryParse(policyText, out policy))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Invalid CPU feature policy", feature, "policy");
            }

            string? name = feature.Attr(XmlNames.Name);
            if (string.IsNullOrEmpty(name))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Invalid CPU feature name", feature, "name");
            }

            if (features.Any(f => f.Name == name))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"CPU feature '{name}' specified more than once", feature, "name");
            }

            features.Add(new CpuFeatureDef(name, policy));
        }

        return features;
    }

    private static void CheckCache(XElement cpu)
    {
        var caches = cpu.Elements(XmlNames.Cache).ToList();
        if (caches.Count > 1)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "at most one CPU cache element may be specified", caches[1]);
        }

        if (caches.Count == 0)
        {
            return;
        }

        var cache = caches[0];
        if (cache.Int(XmlNames.Level) is { } level && (level < 1 || level > 3))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "invalid CPU cache level, must be in range [1,3]", cache, "level");
        }

        cache.RequiredAttr(XmlNames.Mode);
        cache.OneOf("mode", s_cacheModes);
    }

    private static void CheckMaxPhysAddr(XElement? maxPhysAddr)
    {
        if (maxPhysAddr is null)
        {
            return;
        }

        maxPhysAddr.RequiredAttr(XmlNames.Mode);
        maxPhysAddr.OneOf("mode", s_maxPhysAddrModes);
        if (maxPhysAddr.Int(XmlNames.Bits) < 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute 'bits' in element 'maxphysaddr': '{maxPhysAddr.Attr(XmlNames.Bits)}'. Expected non-negative value",
                maxPhysAddr, "bits");
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
