using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// Real KVM, end to end. These need /dev/kvm: on a machine without it they say so, and CI runs them inside the
/// nested-KVM guest (tools/nested-kvm/nested-kvm.sh run -- artifacts/bin/Kvm.Vmm.Tests/release/Kvm.Vmm.Tests
/// --filter "TestCategory=Kvm").
/// </summary>
[Category("Kvm")]
public sealed class RealKvmTests
{
    private const ulong Mib = 1024 * 1024;

    [SetUp]
    public void RequireKvm()
    {
        if (!KvmSystem.CanRunGuests())
        {
            Assert.Ignore("no usable /dev/kvm here (none, or a CPU without vmx and svm); run the Kvm category inside the nested-KVM guest: " +
                          "tools/nested-kvm/nested-kvm.sh run -- artifacts/bin/Kvm.Vmm.Tests/release/Kvm.Vmm.Tests --filter TestCategory=Kvm");
        }
    }

    [EmulatorRetry]
    [Test]
    public void Open_ReportsApiVersion12AndTheRequiredCapabilities()
    {
        using var kvm = KvmSystem.Open();
        Assert.Multiple(() =>
        {
            Assert.That(kvm.VcpuMmapSize, Is.GreaterThanOrEqualTo(KvmRun.Size));
            Assert.That(kvm.CheckExtension(KvmCapability.NrVcpus), Is.GreaterThan(0));
        });
    }

    [EmulatorRetry]
    [Test]
    public void Run_RealModeCode_ExitsOnItsPortWriteThenOnHlt()
    {
        using var kvm = KvmSystem.Open();
        using var vm = kvm.CreateVm();
        vm.SetSystemAddresses();
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        vm.MapMemory(memory);
        // mov al, 0x42; out 0x10, al; mov dx, 0x3f8; in al, dx; hlt
        memory.Write(0x1000, [0xb0, 0x42, 0xe6, 0x10, 0xba, 0xf8, 0x03, 0xec, 0xf4]);

        using var vcpu = vm.CreateVcpu(0);
        var sregs = vcpu.GetSpecialRegisters();
        sregs.Cs.Base = 0;
        sregs.Cs.Selector = 0;
        vcpu.SetSpecialRegisters(sregs);
        vcpu.SetRegisters(new KvmRegs { Rip = 0x1000, Rflags = 0x2 });

        Assert.That(vcpu.Run(), Is.EqualTo(VcpuExit.Io));
        Assert.That(vcpu.RunPage.TryGetIo(out var write), Is.True);
        Assert.That((write.Port, write.IsWrite, write.Data.ToArray()), Is.EqualTo(((ushort)0x10, true, new byte[] { 0x42 })));

        Assert.That(vcpu.Run(), Is.EqualTo(VcpuExit.Io));
        Assert.That(vcpu.RunPage.TryGetIo(out var read), Is.True);
        Assert.That((read.Port, read.IsWrite, read.Width), Is.EqualTo(((ushort)0x3f8, false, (byte)1)));
        read.Data[0] = 0x7e;

        Assert.That(vcpu.Run(), Is.EqualTo(VcpuExit.Hlt));
        Assert.That(vcpu.GetRegisters().Rax & 0xff, Is.EqualTo(0x7e), "the byte given for the IN reached AL");
    }
}
