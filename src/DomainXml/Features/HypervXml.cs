using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Features;

/// <summary><c>&lt;features&gt;&lt;hyperv mode&gt;</c> and its enlightenments (libvirt's virDomainFeaturesHyperVDefParse).</summary>
internal static class HypervXml
{
    internal static readonly XmlEnum<HypervMode> s_mode = new(
        (HypervMode.Custom, "custom"),
        (HypervMode.Passthrough, "passthrough"));

    /// <summary>libvirt's virDomainHyperv names, plus emsr_bitmap and xmm_input (libvirt 10.x).</summary>
    private static readonly HashSet<string> s_names =
    [
        "relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset", "vendor_id", "frequencies",
        "reenlightenment", "tlbflush", "ipi", "evmcs", "avic", "emsr_bitmap", "xmm_input",
    ];

    /// <summary>VIR_DOMAIN_HYPERV_VENDOR_ID_MAX.</summary>
    private const int VendorIdMax = 12;

    /// <summary>The fewest spinlock retries Hyper-V accepts (0xFFF).</summary>
    private const uint MinSpinlockRetries = 0xFFF;

    public static HypervFeaturesDef Parse(XElement hyperv)
    {
        var result = new HypervFeaturesDef { Mode = hyperv.Enum(XmlNames.Mode, s_mode) ?? HypervMode.Custom };
        var features = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var feature in hyperv.Elements())
        {
            if (feature.Name.Namespace != XNamespace.None)
            {
                continue;
            }

            string name = feature.Name.LocalName;
            if (!s_names.Contains(name))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported HyperV Enlightenment feature: {name}", feature);
            }

            bool on = feature.RequiredOnOff("state");
            features[name] = on;
            if (!on)
            {
                continue;
            }

            switch (name)
            {
                case "stimer":
                    result = result with { StimerDirect = ParseStimer(feature) };
                    break;
                case "spinlocks":
                    uint retries = feature.UInt(XmlNames.Retries, required: true)!.Value;
                    if (retries < MinSpinlockRetries)
                    {
                        ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "HyperV spinlock retry count must be at least 4095", feature, "retries");
                    }

                    result = result with { SpinlockRetries = retries };
                    break;
                case "vendor_id":
                    result = result with { VendorId = ParseVendorId(feature) };
                    break;
            }
        }

        return result with { Features = features };
    }

    private static bool? ParseStimer(XElement stimer)
    {
        bool? direct = null;
        foreach (var child in stimer.Elements())
        {
            if (child.Name != XmlNames.Direct)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"unsupported Hyper-V stimer feature: {child.Name.LocalName}", child);
            }

            direct = child.RequiredOnOff("state");
        }

        return direct;
    }

    private static string ParseVendorId(XElement vendor)
    {
        string value = vendor.Attr(XmlNames.Value) ?? ThrowHelper.Throw<string>(DomainXmlErrorKind.XmlError,
            "missing 'value' attribute for HyperV feature 'vendor_id'", vendor);
        if (value.Length > VendorIdMax)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"HyperV vendor_id value must not be more than {VendorIdMax} characters.", vendor, "value");
        }

        // The value goes on QEMU's command line, where a comma would start the next option.
        if (value.Contains(','))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "HyperV vendor_id value is invalid", vendor, "value");
        }

        return value;
    }
}
