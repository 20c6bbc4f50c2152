using System.Numerics;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Features;

/// <summary>
/// The feature groups whose children are named switches: <c>&lt;kvm&gt;</c>, <c>&lt;xen&gt;</c> and
/// <c>&lt;capabilities&gt;</c> (libvirt's virDomainFeaturesKVMDefParse, ...XENDefParse, ...CapabilitiesDefParse).
/// </summary>
internal static class FeatureGroupsXml
{
    private static readonly HashSet<string> s_kvmNames = ["hidden", "hint-dedicated", "poll-control", "pv-ipi", "dirty-ring"];
    private static readonly HashSet<string> s_xenNames = ["e820_host", "passthrough"];
    private static readonly HashSet<string> s_xenPassthroughModes = ["sync_pt", "share_pt"];
    private static readonly HashSet<string> s_capsPolicies = ["default", "allow", "deny"];

    /// <summary>libvirt's virDomainProcessCapsFeature: the Linux capabilities a container may keep or drop.</summary>
    private static readonly HashSet<string> s_processCaps =
    [
        "audit_control", "audit_write", "block_suspend", "chown", "dac_override", "dac_read_search", "fowner", "fsetid",
        "ipc_lock", "ipc_owner", "kill", "lease", "linux_immutable", "mac_admin", "mac_override", "mknod", "net_admin",
        "net_bind_service", "net_broadcast", "net_raw", "setgid", "setfcap", "setpcap", "setuid", "sys_admin", "sys_boot",
        "sys_chroot", "sys_module", "sys_nice", "sys_pacct", "sys_ptrace", "sys_rawio", "sys_resource", "sys_time",
        "sys_tty_config", "syslog", "wake_alarm",
    ];

    /// <summary>The dirty ring size bounds (entries), a power of two in between.</summary>
    private const uint MinDirtyRing = 1024, MaxDirtyRing = 65536;

    public static KvmFeaturesDef ParseKvm(XElement kvm)
    {
        var features = new Dictionary<string, bool>(StringComparer.Ordinal);
        uint? dirtyRing = null;
        foreach (var feature in Children(kvm))
        {
            string name = feature.Name.LocalName;
            if (!s_kvmNames.Contains(name))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported KVM feature: {name}", feature);
            }

            bool on = feature.RequiredOnOff("state");
            features[name] = on;
            if (name == "dirty-ring" && on)
            {
                uint size = feature.UInt(XmlNames.Size, required: true)!.Value;
                if (!BitOperations.IsPow2(size) || size < MinDirtyRing || size > MaxDirtyRing)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "dirty ring must be power of 2 and ranges [1024, 65536]",
                        feature, "size");
                }

                dirtyRing = size;
            }
        }

        return new KvmFeaturesDef { Features = features, DirtyRingSize = dirtyRing };
    }

    public static void ParseXen(XElement xen)
    {
        foreach (var feature in Children(xen))
        {
            string name = feature.Name.LocalName;
            if (!s_xenNames.Contains(name))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported Xen feature: {name}", feature);
            }

            if (feature.RequiredOnOff("state") && name == "passthrough")
            {
                feature.OneOf("mode", s_xenPassthroughModes);
            }
        }
    }

    /// <summary>Checks the capability list and returns the policy, if given.</summary>
    public static string? ParseCapabilities(XElement capabilities)
    {
        string? policy = capabilities.OneOf("policy", s_capsPolicies);
        foreach (var capability in Children(capabilities))
        {
            if (!s_processCaps.Contains(capability.Name.LocalName))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"unexpected capability feature '{capability.Name.LocalName}'", capability);
            }

            capability.OnOff(XmlNames.State);
        }

        return policy;
    }

    private static IEnumerable<XElement> Children(XElement group) =>
        group.Elements().Where(e => e.Name.Namespace == XNamespace.None);
}
