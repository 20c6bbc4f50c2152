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

    [Test]
    public void MemoryHotplugRule_TwoDefaultHugepageSizes_IsRejected() =>
        AssertRejected(
            Domain("", head: "<memoryBacking><hugepages><page size='1048576' unit='KiB'/><page size='2048' unit='KiB' nodeset='0'/>" +
                             "</hugepages></memoryBacking>"),
            DomainXmlErrorKind.Detail, "two master hugepages detected: 2048 and 1048576", "/domain/memoryBacking/hugepages/page[2]");

    [Test]
    public void MemoryHotplugRule_DefaultAndNodeHugepageSizes_IsAccepted() =>
        AssertAccepted(
            Domain("", head: "<memoryBacking><hugepages><page size='1048576' unit='KiB'/><page size='2048' unit='KiB' nodeset='0'/>" +
                             "</hugepages></memoryBacking>", tail: OneCell));

    [Test]
    public void NumatuneRule_MemnodeWithoutNumaCells_IsRejected() =>
        AssertRejected(Domain("", head: Numatune("mode='strict' nodeset='0,2'", "interleave")),
            DomainXmlErrorKind.XmlError, "XML error: Element 'memnode' is invalid without any guest NUMA cells", "/domain/numatune/memnode");

    [Test]
    public void NumatuneRule_EmptyNodeset_IsRejected() =>
        AssertRejected(Domain("", head: "<numatune><memory mode='strict' nodeset='0,^0'/></numatune>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Invalid value of 'nodeset': 0,^0",
            "/domain/numatune/memory/@nodeset");

    [Test]
    public void NumatuneRule_StaticPlacementWithoutNodeset_IsRejected() =>
        AssertRejected(Domain("", head: "<vcpu placement='auto'>2</vcpu><numatune><memory mode='interleave' placement='static'/></numatune>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: nodeset for NUMA memory tuning must be set if 'placement' is 'static'", "/domain/numatune/memory");

    [Test]
    public void NumatuneRule_AutoPlacementWithoutNodeset_IsAccepted() =>
        AssertAccepted(Domain("", head: "<vcpu placement='auto'>2</vcpu><numatune><memory mode='interleave' placement='auto'/></numatune>"));

    [Test]
    public void MemoryDeviceRule_DimmOnMissingNode_IsRejected() =>
        AssertRejected(Domain(Dimm(1), head: MaxMemory, tail: OneCell),
            DomainXmlErrorKind.Detail, "can't add memory backend for guest node '1' as the guest has only '1' NUMA nodes configured",
            "/domain/devices/memory/target/node");

    [Test]
    public void MemoryDeviceRule_DimmOnExistingNode_IsAccepted() => AssertAccepted(Domain(Dimm(0), head: MaxMemory, tail: OneCell));

    [Test]
    public void PciControllerRule_ExpanderBusOnMissingNode_IsRejected() =>
        AssertRejected(Domain("<controller type='pci' index='0' model='pci-root'/>" + ExpanderBus(1), tail: OneCell),
            DomainXmlErrorKind.XmlError,
            "XML error: pci-expander-bus with index 1 is configured for a NUMA node (1) not present in the domain's <cpu><numa> array (1)",
            "/domain/devices/controller[2]/target/node");

    [Test]
    public void PciControllerRule_ExpanderBusOnExistingNode_IsAccepted() =>
        AssertAccepted(Domain("<controller type='pci' index='0' model='pci-root'/>" + ExpanderBus(0), tail: OneCell));

    [Test]
    public void MemoryDeviceRule_OverlappingVirtioMem_IsRejected() =>
        AssertRejected(Domain(VirtioMem("0x150000000") + VirtioMem("0x160000000"), head: MaxMemory, tail: OneCell),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: memory device address [0x150000000:0x190000000] overlaps with other memory device (0x160000000)",
            "/domain/devices/memory[2]/target/address/@base");

    [Test]
    public void MemoryDeviceRule_AdjacentVirtioMem_IsAccepted() =>
        AssertAccepted(Domain(VirtioMem("0x150000000") + VirtioMem("0x190000000"), head: MaxMemory, tail: OneCell));

    private static string VirtioMem(string address) =>
        "<memory model='virtio-mem'><target><size unit='KiB'>1048576</size><node>0</node><block unit='KiB'>2048</block>" +
        $"<requested unit='KiB'>524288</requested><address base='{address}'/></target></memory>";

    private static string Dimm(int node) =>
        $"<memory model='dimm'><target><size unit='KiB'>524288</size><node>{node}</node></target></memory>";

    private static string ExpanderBus(int node) =>
        $"<controller type='pci' index='1' model='pci-expander-bus'><model name='pxb'/><target busNr='254'><node>{node}</node></target></controller>";

    private static string Hugepages(string nodeset) =>
        $"<memoryBacking><hugepages><page size='2048' unit='KiB' nodeset='{nodeset}'/></hugepages></memoryBacking>";

    private static string Numatune(string memory, string memnodeMode) =>
        $"<numatune><memory {memory}/><memnode cellid='0' mode='{memnodeMode}' nodeset='0'/></numatune>";
}
