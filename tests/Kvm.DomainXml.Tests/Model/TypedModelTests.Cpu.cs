using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Model;

/// <summary><c>&lt;cpu&gt;</c> and its NUMA cells.</summary>
public sealed partial class TypedModelTests
{
    [Test]
    public void ParseCpu_CustomModel_IsTyped()
    {
        var cpu = Parse(Domain(head:
            "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid' vendor_id='GenuineIntel'>Skylake-Client</model>" +
            "<vendor>Intel</vendor><topology sockets='2' cores='2' threads='1'/>" +
            "<feature policy='disable' name='vmx'/><feature name='pcid'/></cpu>")).Cpu!;

        Assert.That(cpu.Mode, Is.EqualTo(CpuMode.Custom));
        Assert.That(cpu.Match, Is.EqualTo(CpuMatch.Exact));
        Assert.That(cpu.Check, Is.EqualTo(CpuCheck.Partial));
        Assert.That(cpu.Model, Is.EqualTo("Skylake-Client"));
        Assert.That(cpu.Fallback, Is.EqualTo(CpuFallback.Forbid));
        Assert.That(cpu.VendorId, Is.EqualTo("GenuineIntel"));
        Assert.That(cpu.Vendor, Is.EqualTo("Intel"));
        Assert.That(cpu.Topology, Is.EqualTo(new CpuTopology(2, 1, 1, 2, 1)));
        Assert.That(cpu.Features, Is.EqualTo(new[]
        {
            new CpuFeatureDef("vmx", CpuFeaturePolicy.Disable), new CpuFeatureDef("pcid", CpuFeaturePolicy.Require),
        }));
    }

    [Test]
    public void ParseCpu_NoCpuElement_IsNull() => Assert.That(Parse(Domain()).Cpu, Is.Null);

    [Test]
    public void ParseCpu_NumaCells_AreInKiBById()
    {
        var cells = Parse(Domain(head:
            "<cpu><numa><cell id='1' cpus='2-3' memory='512' unit='MiB' memAccess='shared'/>" +
            "<cell id='0' cpus='0,1' memory='524288' discard='yes'/></numa></cpu>")).Cpu!.NumaCells;

        Assert.That(cells.Select(c => c.Id), Is.EqualTo(new uint[] { 0, 1 }));
        Assert.That(cells[0].Cpus, Is.EquivalentTo(new[] { 0, 1 }));
        Assert.That(cells[0].MemoryKiB, Is.EqualTo(524288));
        Assert.That(cells[0].Discard, Is.True);
        Assert.That(cells[1].Cpus, Is.EquivalentTo(new[] { 2, 3 }));
        Assert.That(cells[1].MemoryKiB, Is.EqualTo(524288));
        Assert.That(cells[1].MemAccess, Is.EqualTo(NumaMemAccess.Shared));
    }

    [Test]
    public void ParseCpu_UnknownMode_IsRejected() =>
        AssertRejected(Domain(head: "<cpu mode='host-like'/>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Invalid mode attribute 'host-like'", "/domain/cpu/@mode");

    [Test]
    public void ParseCpu_UnknownMatch_IsRejected() =>
        AssertRejected(Domain(head: "<cpu match='loose'><model>qemu64</model></cpu>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'match' in element 'cpu': 'loose'.", "/domain/cpu/@match");

    [Test]
    public void ParseCpu_MigratableOnCustomCpu_IsRejected() =>
        AssertRejected(Domain(head: "<cpu mode='custom' migratable='on'><model>qemu64</model></cpu>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode",
            "/domain/cpu/@migratable");

    [Test]
    public void ParseCpu_ZeroCores_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><topology sockets='1' cores='0' threads='1'/></cpu>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'cores' in element 'topology': Zero is not permitted", "/domain/cpu/topology/@cores");

    [Test]
    public void ParseCpu_TopologyWithoutThreads_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><topology sockets='1' cores='4'/></cpu>"), DomainXmlErrorKind.XmlError,
            "XML error: Missing required attribute 'threads' in element 'topology'", "/domain/cpu/topology/@threads");

    [Test]
    public void ParseCpu_UnknownFeaturePolicy_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><model>qemu64</model><feature policy='maybe' name='vmx'/></cpu>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Invalid CPU feature policy", "/domain/cpu/feature/@policy");

    [Test]
    public void ParseCpu_FeatureTwice_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><model>qemu64</model><feature name='vmx'/><feature name='vmx'/></cpu>"),
            DomainXmlErrorKind.XmlError, "XML error: CPU feature 'vmx' specified more than once", "/domain/cpu/feature[2]/@name");

    [Test]
    public void ParseCpu_FeaturesWithoutModel_IsRejected() =>
        AssertRejected(Domain(head: "<cpu mode='custom'><feature name='vmx'/></cpu>"), DomainXmlErrorKind.XmlError,
            "XML error: Non-empty feature list specified without CPU model", "/domain/cpu/feature");

    [Test]
    public void ParseCpu_NumaWithoutCells_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><numa/></cpu>"), DomainXmlErrorKind.XmlError,
            "XML error: NUMA topology defined without NUMA cells", "/domain/cpu/numa");

    [Test]
    public void ParseCpu_NumaCellIdBeyondCount_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><numa><cell id='1' cpus='0' memory='1024'/></numa></cpu>"), DomainXmlErrorKind.XmlError,
            "XML error: Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges or ranges not starting from 0 are not allowed",
            "/domain/cpu/numa/cell/@id");

    [Test]
    public void ParseCpu_NumaCellsSharingAVcpu_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><numa><cell id='0' cpus='0-1' memory='1024'/><cell id='1' cpus='1-2' memory='1024'/></numa></cpu>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: NUMA cells 1 and 0 have overlapping vCPU ids",
            "/domain/cpu/numa/cell[2]/@cpus");

    [Test]
    public void ParseCpu_NumaVcpuBeyondVcpuCount_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><numa><cell id='0' cpus='4' memory='1024'/></numa></cpu>"), DomainXmlErrorKind.InternalError,
            "internal error: CPU IDs in <numa> exceed the <vcpu> count", "/domain/cpu/numa");

    [Test]
    public void ParseCpu_NumaMemAccessDefault_IsRejected() =>
        AssertRejected(Domain(head: "<cpu><numa><cell id='0' cpus='0' memory='1024' memAccess='default'/></numa></cpu>"),
            DomainXmlErrorKind.XmlError, "XML error: Invalid value for attribute 'memAccess' in element 'cell': 'default'.",
            "/domain/cpu/numa/cell/@memAccess");
}
