using System.Runtime.CompilerServices;
using Kvm.Vmm.Interop;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The interop structs against the kernel ABI's sizes and offsets (linux/kvm.h on x86-64).</summary>
public sealed class KvmStructLayoutTests
{
    [Test]
    public void Sizes_MatchTheKernelAbi()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Unsafe.SizeOf<KvmRun>(), Is.EqualTo(2352), "kvm_run");
            Assert.That(Unsafe.SizeOf<KvmRegs>(), Is.EqualTo(144), "kvm_regs");
            Assert.That(Unsafe.SizeOf<KvmSregs>(), Is.EqualTo(312), "kvm_sregs");
            Assert.That(Unsafe.SizeOf<KvmSegment>(), Is.EqualTo(24), "kvm_segment");
            Assert.That(Unsafe.SizeOf<KvmDtable>(), Is.EqualTo(16), "kvm_dtable");
            Assert.That(Unsafe.SizeOf<KvmCpuidEntry2>(), Is.EqualTo(40), "kvm_cpuid_entry2");
            Assert.That(Unsafe.SizeOf<KvmCpuid2>(), Is.EqualTo(8), "kvm_cpuid2 header");
            Assert.That(Unsafe.SizeOf<KvmUserspaceMemoryRegion>(), Is.EqualTo(32), "kvm_userspace_memory_region");
            Assert.That(Unsafe.SizeOf<KvmPitConfig>(), Is.EqualTo(64), "kvm_pit_config");
            Assert.That(Unsafe.SizeOf<KvmReinjectControl>(), Is.EqualTo(32), "kvm_reinject_control");
            Assert.That(Unsafe.SizeOf<PollFd>(), Is.EqualTo(8), "struct pollfd");
        });
    }

    [Test]
    public unsafe void KvmRun_ExitFieldsSitAtTheKernelOffsets()
    {
        var run = default(KvmRun);
        byte* start = (byte*)&run;
        long[] offsets =
        [
            (byte*)&run.ImmediateExit - start, (byte*)&run.ExitReason - start, (byte*)&run.Io - start, (byte*)&run.Io.Port - start,
            (byte*)&run.Io.Count - start, (byte*)&run.Io.DataOffset - start, (byte*)&run.Mmio.Length - start, (byte*)&run.Mmio.IsWrite - start,
        ];
        Assert.That(offsets, Is.EqualTo(new long[] { 1, 8, 32, 34, 36, 40, 48, 52 }));
    }

    [Test]
    public unsafe void KvmRun_OffsetConstantsOfTheSpanView_MatchTheFields()
    {
        var run = default(KvmRun);
        byte* start = (byte*)&run;
        long[] offsets = [(byte*)&run.ExitReason - start, (byte*)&run.Io - start, run.Mmio.Data - (byte*)&run.Mmio];
        Assert.That(offsets, Is.EqualTo(new long[] { KvmRun.ExitReasonOffset, KvmRun.ExitUnionOffset, KvmRunMmio.DataOffset }));
    }

    [Test]
    public unsafe void KvmSregs_ControlRegistersFollowTheSegmentsAndTables()
    {
        var sregs = default(KvmSregs);
        byte* start = (byte*)&sregs;
        long[] offsets = [(byte*)&sregs.Gdt - start, (byte*)&sregs.Cr0 - start, (byte*)&sregs.ApicBase - start];
        Assert.That(offsets, Is.EqualTo(new long[] { 8 * 24, 8 * 24 + 2 * 16, 272 }));
    }

    // The request numbers as the kernel headers expand them (_IOC(dir, 0xAE, nr, size)).
    [TestCase("GetApiVersion", 0xAE00u)]
    [TestCase("CreateVm", 0xAE01u)]
    [TestCase("CheckExtension", 0xAE03u)]
    [TestCase("GetVcpuMmapSize", 0xAE04u)]
    [TestCase("GetSupportedCpuid", 0xC008AE05u)]
    [TestCase("CreateVcpu", 0xAE41u)]
    [TestCase("SetUserMemoryRegion", 0x4020AE46u)]
    [TestCase("SetTssAddr", 0xAE47u)]
    [TestCase("SetIdentityMapAddr", 0x4008AE48u)]
    [TestCase("CreateIrqchip", 0xAE60u)]
    [TestCase("CreatePit2", 0x4040AE77u)]
    [TestCase("Run", 0xAE80u)]
    [TestCase("GetRegs", 0x8090AE81u)]
    [TestCase("SetRegs", 0x4090AE82u)]
    [TestCase("GetSregs", 0x8138AE83u)]
    [TestCase("SetSregs", 0x4138AE84u)]
    public void IoctlNumbers_MatchTheKernelHeaders(string name, uint expected)
    {
        var field = typeof(KvmIoctl).GetField(name)!;
        Assert.That((uint)(nuint)field.GetValue(null)!, Is.EqualTo(expected));
    }
}
