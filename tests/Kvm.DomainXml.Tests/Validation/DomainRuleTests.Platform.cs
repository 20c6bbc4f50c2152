using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>Platform features, timers, CPU caches and the vCPU topology.</summary>
public sealed partial class DomainRuleTests
{
    private const string Aarch64Virt = "<type arch='aarch64' machine='virt'>hvm</type>";

    [Test]
    public void FeatureArchRule_GicOnPSeries_IsRejected() =>
        AssertRejected(Domain(string.Empty, os: PSeries, tail: "<features><gic/></features>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: The 'gic' feature is not supported for architecture 'ppc64' or machine type 'pseries'",
            "/domain/features/gic");

    [Test]
    public void FeatureArchRule_GicOnArmVirt_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, os: Aarch64Virt, tail: "<features><gic version='3'/></features>"));

    [Test]
    public void FeatureArchRule_HptOnPc_IsRejected() =>
        AssertRejected(Domain(string.Empty, tail: "<features><hpt resizing='enabled'/></features>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: The 'hpt' feature is not supported for architecture 'x86_64' or machine type 'pc'",
            "/domain/features/hpt");

    [Test]
    public void FeatureArchRule_HptOnPSeries_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, os: PSeries, tail: "<features><hpt resizing='enabled'/></features>"));

    [Test]
    public void ClockTimerRule_TscOnS390_IsRejected() =>
        AssertRejected(Domain(string.Empty, os: "<type arch='s390x' machine='s390-ccw-virtio'>hvm</type>",
                tail: "<clock offset='utc'><timer name='tsc' present='yes'/></clock>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Configuring the 'tsc' timer is not supported for virtType=kvm arch=s390x " +
            "machine=s390-ccw-virtio guests",
            "/domain/clock/timer");

    [Test]
    public void ClockTimerRule_TscOnX86_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, tail: "<clock offset='utc'><timer name='tsc' present='yes'/></clock>"));

    [Test]
    public void CpuCacheRule_EmulatedL2_IsRejected() =>
        AssertRejected(Domain(string.Empty, tail: "<cpu mode='host-passthrough'><cache level='2' mode='emulate'/></cpu>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: CPU cache mode 'emulate' can only be used with level='3'",
            "/domain/cpu/cache/@level");

    [Test]
    public void CpuCacheRule_EmulatedL3_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, tail: "<cpu mode='host-passthrough'><cache level='3' mode='emulate'/></cpu>"));

    [Test]
    public void CpuCacheRule_PassthroughWithCustomCpu_IsRejected() =>
        AssertRejected(Domain(string.Empty, tail: "<cpu mode='custom'><model>Haswell</model><cache mode='passthrough'/></cpu>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: CPU cache mode 'passthrough' can only be used with 'host-passthrough' / 'maximum' CPUs",
            "/domain/cpu/cache/@mode");

    [Test]
    public void VcpuTopologyRule_PartialCoreOnPSeries_IsRejected() =>
        AssertRejected(
            Domain(string.Empty, os: PSeries, head: "<vcpu placement='static' current='2'>8</vcpu>",
                tail: "<cpu><topology sockets='1' dies='1' cores='2' threads='4'/></cpu>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: vCPUs count must be a multiple of the vCPU hotplug granularity (4)", "/domain/vcpu/@current");

    [Test]
    public void VcpuTopologyRule_WholeCoreOnPSeries_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, os: PSeries, head: "<vcpu placement='static' current='4'>8</vcpu>",
            tail: "<cpu><topology sockets='1' dies='1' cores='2' threads='4'/></cpu>"));
}
