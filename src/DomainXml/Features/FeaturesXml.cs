using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Memory;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Features;

/// <summary>
/// <c>&lt;features&gt;</c>: the typed view (libvirt's virDomainFeaturesDefParse). Parse only; the element stays as
/// written. Extension elements in another namespace are left alone.
/// </summary>
internal static class FeaturesXml
{
    internal static readonly XmlEnum<IoapicDriver> s_ioapic = new(
        (IoapicDriver.Qemu, "qemu"),
        (IoapicDriver.Kvm, "kvm"));

    /// <summary>libvirt's virDomainFeature names, plus async-teardown, ras and ps2 (libvirt 9.x/10.x).</summary>
    private static readonly HashSet<string> s_names =
    [
        "acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm", "pvspinlock", "capabilities", "pmu", "vmport",
        "gic", "smm", "ioapic", "hpt", "vmcoreinfo", "htm", "nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc", "ibs",
        "tcg", "async-teardown", "ras", "ps2",
    ];

    private static readonly HashSet<string> s_gicVersions = ["host", "2", "3"];
    private static readonly HashSet<string> s_hptResizing = ["enabled", "disabled", "required"];
    private static readonly HashSet<string> s_cpuFlawValues = ["broken", "workaround", "fixed"];
    private static readonly HashSet<string> s_ibsValues = ["broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na"];
    private static readonly HashSet<string> s_msrsUnknown = ["ignore", "fault"];

    private const ulong MiB = 1024 * 1024;

    public static FeaturesDef Parse(XElement domain)
    {
        if (domain.Element(XmlNames.Features) is not { } features)
        {
            return FeaturesDef.None;
        }

        var result = new FeaturesDef();
        var enabled = new HashSet<string>(StringComparer.Ordinal);
        var others = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var feature in features.Elements())
        {
            if (feature.Name.Namespace != XNamespace.None)
            {
                continue;
            }

            string name = feature.Name.LocalName;
            if (!s_names.Contains(name))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unexpected feature '{name}'", feature);
            }

            bool on = true;
            string? value = null;
            switch (name)
            {
                case "acpi":
                    result = result with { Acpi = true };
                    break;
                case "pae":
                    result = result with { Pae = true };
                    break;
                case "apic":
                    result = result with { Apic = true, ApicEoi = feature.OnOff(XmlNames.Eoi) };
                    break;
                case "hap":
                    on = feature.OnOff(XmlNames.State) ?? true;
                    result = result with { Hap = on };
                    break;
                case "pmu":
                    on = feature.OnOff(XmlNames.State) ?? true;
                    result = result with { Pmu = on };
                    break;
                case "vmport":
                    on = feature.OnOff(XmlNames.State) ?? true;
                    result = result with { Vmport = on };
                    break;
                case "pvspinlock":
                    on = feature.OnOff(XmlNames.State) ?? true;
                    result = result with { PvSpinlock = on };
                    break;
                case "vmcoreinfo":
                    on = feature.OnOff(XmlNames.State) ?? true;
                    result = result with { Vmcoreinfo = on };
                    break;
                case "smm":
                    on = feature.OnOff(XmlNames.State) ?? true;
                    result = result with { Smm = on, SmmTsegBytes = on ? ReadTseg(feature.Element(XmlNames.Tseg)) : null };
                    break;
                case "htm" or "nested-hv" or "ccf-assist" or "ras":
                    on = feature.RequiredOnOff("state");
                    break;
                case "ps2":
                    on = feature.RequiredOnOff("state");
                    result = result with { Ps2 = on };
                    break;
                case "async-teardown":
                    on = feature.YesNo(XmlNames.Enabled) ?? true;
                    break;
                case "ioapic":
                    result = result with { Ioapic = feature.Enum(XmlNames.Driver, s_ioapic) };
                    break;
                case "hyperv":
                    result = result with { Hyperv = HypervXml.Parse(feature) };
                    break;
                case "kvm":
                    result = result with { Kvm = FeatureGroupsXml.ParseKvm(feature) };
                    break;
                case "xen":
                    FeatureGroupsXml.ParseXen(feature);
                    break;
                case "capabilities":
                    value = FeatureGroupsXml.ParseCapabilities(feature);
                    break;
                case "msrs":
                    feature.RequiredAttr(XmlNames.Unknown);
                    value = feature.OneOf("unknown", s_msrsUnknown);
                    break;
                case "gic":
                    value = feature.OneOf("version", s_gicVersions);
                    break;
                case "cfpc" or "sbbc":
                    value = feature.OneOf("value", s_cpuFlawValues);
                    break;
                case "ibs":
                    value = feature.OneOf("value", s_ibsValues);
                    break;
                case "hpt":
                    value = feature.OneOf("resizing", s_hptResizing);
                    on = value is not null || ReadHptMaxPageSize(feature.Element(XmlNames.Maxpagesize)) > 0;
                    break;
                case "tcg":
                    on = MemoryXml.ReadKiB(feature.Element(XmlNames.TbCache)) is > 0;
                    break;
                default:
                    // viridian, privnet: present means on.
                    break;
            }

            if (on)
            {
                enabled.Add(name);
            }

            if (!IsTyped(name))
            {
                others[name] = value ?? XmlRead.OnOffText(on);
            }
        }

        return result with { Enabled = enabled, Others = others };
    }

    private static bool IsTyped(string name) => name is "acpi" or "apic" or "pae" or "hap" or "pmu" or "vmport" or "pvspinlock"
        or "vmcoreinfo" or "smm" or "ps2" or "ioapic" or "hyperv" or "kvm";

    /// <summary>The TSEG size in bytes, MiB when no unit is given (virParseScaledValue with a MiB scale).</summary>
    private static ulong? ReadTseg(XElement? tseg)
    {
        if (tseg is null)
        {
            return null;
        }

        string text = tseg.Text().Trim();
        if (!XmlRead.TryParseULong(text, out ulong value))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid value '{text}' for element or attribute 'tseg'", tseg);
        }

        string? unit = tseg.Attr(XmlNames.Unit);
        if (MemoryUnits.Scale(unit, MiB) is not { } scale)
        {
            return ThrowHelper.Throw<ulong?>(DomainXmlErrorKind.InvalidArgument, $"unknown suffix '{unit}'", tseg, "unit");
        }

        UInt128 bytes = (UInt128)value * scale;
        if (bytes > ulong.MaxValue)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "size value is too large", tseg);
        }

        return (ulong)bytes;
    }

    /// <summary>libvirt reads the HPT page size with a KiB scale and reports any failure the same way.</summary>
    private static ulong ReadHptMaxPageSize(XElement? maxPageSize)
    {
        if (maxPageSize is null)
        {
            return 0;
        }

        ulong? scale = MemoryUnits.Scale(maxPageSize.Attr(XmlNames.Unit), 1024);
        if (!XmlRead.TryParseULong(maxPageSize.Text().Trim(), out ulong value) || scale is null
            || (UInt128)value * scale.Value > ulong.MaxValue)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Unable to parse HPT maxpagesize setting", maxPageSize);
        }

        return value * scale.Value;
    }
}
