using System.Text.RegularExpressions;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Machine;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>Boots Debian's stock kernel on real KVM to the test initramfs's /init.</summary>
[Category("Kvm")]
public sealed partial class LinuxBootTests
{
    private const string CommandLine = "console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check";
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(4);

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!KvmSystem.CanRunGuests())
        {
            Assert.Ignore("no usable /dev/kvm here (none, or a CPU without vmx and svm); run the Kvm category inside the nested-KVM guest (tools/nested-kvm/nested-kvm.sh)");
        }

        if (GuestImages.KernelPath() is null)
        {
            Assert.Ignore("KVM_NESTED_KERNEL does not name a kernel; tools/nested-kvm/nested-kvm.sh sets it to Debian's vmlinuz");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-boot-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [EmulatorRetry]
    [Test]
    public void Boot_StockKernel_ReachesInitWithTheConfiguredMemory()
    {
        var console = new ConsoleCapture();
        using var machine = PcMachine.Create(new MachineConfig
        {
            MemoryBytes = 256UL << 20,
            KernelPath = GuestImages.KernelPath()!,
            InitrdPath = GuestImages.BuildInitramfs(_directory),
            CommandLine = CommandLine,
            SerialOutput = console,
        });
        machine.Start();

        bool reached = console.WaitFor(GuestImages.Marker, s_bootTimeout);
        // poweroff -f goes through ACPI: the sleep control register ends the machine.
        bool poweredOff = machine.Exited.Wait(TimeSpan.FromSeconds(90));
        TestContext.Out.WriteLine(console.Text);
        Assert.That(reached, Is.True, "the /init marker never appeared on the serial console");
        var memTotal = MemTotal().Match(console.Text);
        Assert.Multiple(() =>
        {
            Assert.That(console.Text, Does.Contain("cpus=1"));
            Assert.That(memTotal.Success, Is.True, "MemTotal line");
            Assert.That(long.Parse(memTotal.Groups[1].Value), Is.InRange(200_000, 262_144), "MemTotal in kB for 256 MiB");
            Assert.That(poweredOff, Is.True, "the guest's poweroff -f did not end the machine");
            Assert.That(machine.Exited.IsCompleted ? machine.Exited.Result.Reason : MachineExitReason.Stopped,
                Is.EqualTo(MachineExitReason.GuestShutdown));
        });
    }

    [EmulatorRetry]
    [Test]
    public void Boot_TwoVcpus_GuestBringsUpBoth()
    {
        var console = new ConsoleCapture();
        using var machine = PcMachine.Create(new MachineConfig
        {
            MemoryBytes = 512UL << 20,
            Vcpus = 2,
            KernelPath = GuestImages.KernelPath()!,
            InitrdPath = GuestImages.BuildInitramfs(_directory),
            CommandLine = CommandLine,
            SerialOutput = console,
        });
        machine.Start();

        bool reached = console.WaitFor(GuestImages.ReportEnd, s_bootTimeout);
        TestContext.Out.WriteLine(console.Text);
        Assert.That(reached, Is.True, "the /init lines never appeared on the serial console");
        var memTotal = MemTotal().Match(console.Text);
        Assert.Multiple(() =>
        {
            Assert.That(console.Text, Does.Contain("smp: Brought up 1 node, 2 CPUs"));
            Assert.That(console.Text, Does.Contain("cpus=2"));
            Assert.That(long.Parse(memTotal.Groups[1].Value), Is.InRange(400_000, 524_288), "MemTotal in kB for 512 MiB");
        });
    }

    [GeneratedRegex(@"MemTotal:\s+(\d+) kB")]
    private static partial Regex MemTotal();
}
