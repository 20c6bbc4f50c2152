using Kvm.Vmm.Interop;
using Kvm.Vmm.Machine;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The topology leaves, rewritten from fabricated KVM_GET_SUPPORTED_CPUID entries of an AMD host.</summary>
public sealed class CpuidSetupTests
{
    private static readonly KvmCpuidEntry2[] s_amdHost =
    [
        Entry(0, 0, eax: 0x10, ebx: 0x6874_7541),
        Entry(1, 0, ebx: 0x0810_0800, edx: 1u << 28),
        Entry(0xb, 0, eax: 1, ebx: 2, ecx: 0x100),
        Entry(0xb, 1, eax: 7, ebx: 64, ecx: 0x201),
        Entry(0xb, 2, ecx: 2),
        Entry(0x8000_0001, 0, ecx: 0),
        Entry(0x8000_0008, 0, ecx: 0x703f),
        Entry(0x8000_001e, 0, eax: 9, ebx: 0x105, ecx: 3),
    ];

    [Test]
    public void ForVcpu_OneSocketTwoCores_SecondVcpuSeesItsIdsAndTheCoreCount()
    {
        var entries = CpuidSetup.ForVcpu(s_amdHost, 1, new CpuTopology(1, 2, 1));
        Assert.Multiple(() =>
        {
            var leaf1 = Find(entries, 1, 0);
            Assert.That(leaf1.Ebx >> 24, Is.EqualTo(1), "initial APIC id");
            Assert.That((leaf1.Ebx >> 16) & 0xff, Is.EqualTo(2), "logical processors per package");
            Assert.That(leaf1.Edx & (1u << 28), Is.Not.Zero, "HTT");
            Assert.That(leaf1.Ecx & (1u << 31), Is.Not.Zero, "hypervisor");
            Assert.That(leaf1.Ebx & 0xffff, Is.EqualTo(0x0800), "the host's low bits stay");

            var smt = Find(entries, 0xb, 0);
            Assert.That((smt.Eax, smt.Ebx, smt.Ecx, smt.Edx), Is.EqualTo((0u, 1u, 0x100u, 1u)));
            var core = Find(entries, 0xb, 1);
            Assert.That((core.Eax, core.Ebx, core.Ecx, core.Edx), Is.EqualTo((1u, 2u, 0x201u, 1u)));
            var end = Find(entries, 0xb, 2);
            Assert.That((end.Eax, end.Ebx, end.Ecx), Is.EqualTo((0u, 0u, 2u)));

            Assert.That(Find(entries, 0x8000_0001, 0).Ecx & 2, Is.EqualTo(2), "CmpLegacy");
            Assert.That(Find(entries, 0x8000_0008, 0).Ecx, Is.EqualTo(0x1001), "NC = 1, ApicIdCoreIdSize = 1");
            var ext = Find(entries, 0x8000_001e, 0);
            Assert.That((ext.Eax, ext.Ebx, ext.Ecx), Is.EqualTo((1u, 1u, 0u)), "APIC id, core id, node id");
        });
    }

    [Test]
    public void ForVcpu_FlatTopology_EachVcpuIsItsOwnSocket()
    {
        var entries = CpuidSetup.ForVcpu(s_amdHost, 3, CpuTopology.Flat(4));
        Assert.Multiple(() =>
        {
            Assert.That(Find(entries, 1, 0).Ebx >> 24, Is.EqualTo(3));
            Assert.That((Find(entries, 1, 0).Ebx >> 16) & 0xff, Is.EqualTo(1));
            Assert.That(Find(entries, 1, 0).Edx & (1u << 28), Is.Zero, "no HTT with one logical processor per package");
            Assert.That(Find(entries, 0xb, 1).Ebx, Is.EqualTo(1));
            Assert.That(Find(entries, 0x8000_0001, 0).Ecx & 2, Is.Zero);
            Assert.That(Find(entries, 0x8000_001e, 0).Ecx, Is.EqualTo(3), "node id = socket");
        });
    }

    [Test]
    public void ForVcpu_DoesNotChangeTheSupportedEntries()
    {
        var before = s_amdHost.Select(e => (e.Function, e.Index, e.Eax, e.Ebx, e.Ecx, e.Edx)).ToArray();
        CpuidSetup.ForVcpu(s_amdHost, 1, new CpuTopology(1, 2, 1));
        Assert.That(s_amdHost.Select(e => (e.Function, e.Index, e.Eax, e.Ebx, e.Ecx, e.Edx)), Is.EqualTo(before));
    }

    private static KvmCpuidEntry2 Entry(uint function, uint index, uint eax = 0, uint ebx = 0, uint ecx = 0, uint edx = 0) =>
        new() { Function = function, Index = index, Eax = eax, Ebx = ebx, Ecx = ecx, Edx = edx };

    private static KvmCpuidEntry2 Find(KvmCpuidEntry2[] entries, uint function, uint index) =>
        entries.Single(e => e.Function == function && e.Index == index);
}
