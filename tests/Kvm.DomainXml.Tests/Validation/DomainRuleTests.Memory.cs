using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>Memory hotplug, hugepages and NUMA tuning against the guest NUMA cells.</summary>
public sealed partial class DomainRuleTests
{
    private const string OneCell = "<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/></numa></cpu>";
    private const string MaxMemory = "<maxMemory slots='16' unit='KiB'>4194304</maxMemory>";

    [Test]
    public void MemoryHotplugRule_MaxMemoryWithoutNuma_IsRejected() =>
        AssertRejected(Domain("", head: MaxMemory),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: At least one numa node has to be configured when enabling memory hotplug",
            "/domain/maxMemory");

    [Test]
    public void MemoryHotplugRule_MaxMemoryWithNumaCell_IsAccepted() => AssertAccepted(Domain("", head: MaxMemory, tail: OneCell));

    [Test]
    public void MemoryHotplugRule_MaxMemoryWithoutNumaOnPSeries_IsAccepted() => AssertAccepted(Domain("", os: PSeries, head: MaxMemory));

    [Test]
    public void MemoryHotplugRule_HugepagesOnMissingNode_IsRejected() =>
        AssertRejected(Domain("", head: Hugepages("1"), tail: OneCell),
            DomainXmlErrorKind.Detail,
            "hugepages: node 1 not found",
            "/domain/memoryBacking/hugepages/page/@nodeset");

    [Test]
    public void MemoryHotplugRule_HugepagesOnExistingNode_IsAccepted() => AssertAccepted(Domain("", head: Hugepages("0"), tail: OneCell));

    [Test]
    public void NumatuneRule_MemnodeWithAutoPlacement_IsRejected() =>
        AssertRejected(Domain("", head: Numatune("placement='auto'", "strict"), tail: OneCell),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Per-node binding is not compatible with automatic NUMA placement.",
            "/domain/numatune/memory");

    [Test]
    public void NumatuneRule_RestrictiveMemnodeUnderInterleave_IsRejected() =>
        AssertRejected(Domain("", head: Numatune("mode='interleave' nodeset='0'", "restrictive"), tail: OneCell),
            DomainXmlErrorKind.XmlError,
            "XML error: 'restrictive' mode is required in memory element when mode is 'restrictive' in memnode element",
            "/domain/numatune/memnode/@mode");

    [Test]
    public void NumatuneRule_RestrictiveEverywhere_IsAccepted() =>
        AssertAccepted(Domain("", head: Numatune("mode='restrictive' nodeset='0'", "restrictive"), tail: OneCell));

    private static string Hugepages(string nodeset) =>
        $"<memoryBacking><hugepages><page size='2048' unit='KiB' nodeset='{nodeset}'/></hugepages></memoryBacking>";

    private static string Numatune(string memory, string memnodeMode) =>
        $"<numatune><memory {memory}/><memnode cellid='0' mode='{memnodeMode}' nodeset='0'/></numatune>";
}
