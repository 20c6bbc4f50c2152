using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Model;

/// <summary><c>&lt;features&gt;</c>.</summary>
public sealed partial class TypedModelTests
{
    [Test]
    public void ParseFeatures_SwitchesAndValues_AreTyped()
    {
        var features = Parse(Domain(head:
            "<features><acpi/><pmu state='off'/><smm state='on'><tseg unit='MiB'>48</tseg></smm><ioapic driver='kvm'/>" +
            "<gic version='3'/><htm state='on'/><vmport state='off'/></features>")).Features;

        Assert.That(features.Acpi, Is.True);
        Assert.That(features.Apic, Is.False);
        Assert.That(features.Pmu, Is.False);
        Assert.That(features.Smm, Is.True);
        Assert.That(features.SmmTsegBytes, Is.EqualTo(48UL * 1024 * 1024));
        Assert.That(features.Ioapic, Is.EqualTo(IoapicDriver.Kvm));
        Assert.That(features.Vmport, Is.False);
        Assert.That(features.Others, Is.EqualTo(new Dictionary<string, string> { ["gic"] = "3", ["htm"] = "on" }));
        Assert.That(features.Enabled, Is.EquivalentTo(new[] { "acpi", "smm", "ioapic", "gic", "htm" }));
    }

    [Test]
    public void ParseFeatures_TsegWithoutUnit_IsMebibytes() =>
        Assert.That(Parse(Domain(head: "<features><smm><tseg>8</tseg></smm></features>")).Features.SmmTsegBytes,
            Is.EqualTo(8UL * 1024 * 1024));

    [Test]
    public void ParseFeatures_HypervAndKvm_AreTyped()
    {
        var features = Parse(Domain(head:
            "<features><hyperv mode='custom'><relaxed state='on'/><spinlocks state='on' retries='8191'/>" +
            "<vendor_id state='on' value='KVM Hv'/><stimer state='on'><direct state='on'/></stimer><evmcs state='off'/></hyperv>" +
            "<kvm><hidden state='on'/><dirty-ring state='on' size='4096'/></kvm></features>")).Features;

        var hyperv = features.Hyperv!;
        Assert.That(hyperv.Mode, Is.EqualTo(HypervMode.Custom));
        Assert.That(hyperv.Features, Is.EqualTo(new Dictionary<string, bool>
        {
            ["relaxed"] = true, ["spinlocks"] = true, ["vendor_id"] = true, ["stimer"] = true, ["evmcs"] = false,
        }));
        Assert.That(hyperv.SpinlockRetries, Is.EqualTo(8191));
        Assert.That(hyperv.VendorId, Is.EqualTo("KVM Hv"));
        Assert.That(hyperv.StimerDirect, Is.True);
        Assert.That(features.Kvm!.Features, Is.EqualTo(new Dictionary<string, bool> { ["hidden"] = true, ["dirty-ring"] = true }));
        Assert.That(features.Kvm.DirtyRingSize, Is.EqualTo(4096));
    }

    [Test]
    public void ParseFeatures_HypervPassthrough_HasNoList()
    {
        var hyperv = Parse(Domain(head: "<features><hyperv mode='passthrough'/></features>")).Features.Hyperv!;

        Assert.That(hyperv.Mode, Is.EqualTo(HypervMode.Passthrough));
        Assert.That(hyperv.Features, Is.Empty);
    }

    [Test]
    public void ParseFeatures_UnknownFeature_IsRejected() =>
        AssertRejected(Domain(head: "<features><acpi/><warp/></features>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: unexpected feature 'warp'", "/domain/features/warp");

    [Test]
    public void ParseFeatures_PmuStateDefault_IsRejected() =>
        AssertRejected(Domain(head: "<features><pmu state='default'/></features>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'state' in element 'pmu': 'default'.", "/domain/features/pmu/@state");

    [Test]
    public void ParseFeatures_IoapicDriverUnknown_IsRejected() =>
        AssertRejected(Domain(head: "<features><ioapic driver='xen'/></features>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'driver' in element 'ioapic': 'xen'.", "/domain/features/ioapic/@driver");

    [Test]
    public void ParseFeatures_HtmWithoutState_IsRejected() =>
        AssertRejected(Domain(head: "<features><htm/></features>"), DomainXmlErrorKind.XmlError,
            "XML error: Missing required attribute 'state' in element 'htm'", "/domain/features/htm/@state");

    [Test]
    public void ParseFeatures_UnknownHypervEnlightenment_IsRejected() =>
        AssertRejected(Domain(head: "<features><hyperv><warp state='on'/></hyperv></features>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: unsupported HyperV Enlightenment feature: warp", "/domain/features/hyperv/warp");

    [Test]
    public void ParseFeatures_HypervModeNone_IsRejected() =>
        AssertRejected(Domain(head: "<features><hyperv mode='none'/></features>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'mode' in element 'hyperv': 'none'.", "/domain/features/hyperv/@mode");

    [Test]
    public void ParseFeatures_FewSpinlockRetries_IsRejected() =>
        AssertRejected(Domain(head: "<features><hyperv><spinlocks state='on' retries='100'/></hyperv></features>"),
            DomainXmlErrorKind.XmlError, "XML error: HyperV spinlock retry count must be at least 4095",
            "/domain/features/hyperv/spinlocks/@retries");

    [Test]
    public void ParseFeatures_DirtyRingNotPowerOfTwo_IsRejected() =>
        AssertRejected(Domain(head: "<features><kvm><dirty-ring state='on' size='3000'/></kvm></features>"),
            DomainXmlErrorKind.XmlError, "XML error: dirty ring must be power of 2 and ranges [1024, 65536]",
            "/domain/features/kvm/dirty-ring/@size");

    [Test]
    public void ParseFeatures_UnknownKvmFeature_IsRejected() =>
        AssertRejected(Domain(head: "<features><kvm><warp state='on'/></kvm></features>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: unsupported KVM feature: warp", "/domain/features/kvm/warp");

    [Test]
    public void ParseFeatures_ExtensionElement_IsLeftAlone() =>
        Assert.That(Parse(Domain(head: "<features xmlns:x='urn:x'><acpi/><x:warp/></features>")).Features.Enabled,
            Is.EquivalentTo(new[] { "acpi" }));
}
