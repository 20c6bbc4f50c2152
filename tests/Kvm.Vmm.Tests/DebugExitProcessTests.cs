using Kvm.Qmp.Client;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// isa-debug-exit as a test guest uses it: Debian's kernel, whose /init writes 42 to port 0x501 through /dev/port.
/// With <c>--debug-exit</c> kvm-vmm ends with QEMU's status for it, (42 &lt;&lt; 1) | 1 = 85; without, the write
/// goes nowhere and the guest's power-off ends the VM as usual.
/// </summary>
[Category("Kvm")]
[CancelAfter(600_000)]
public sealed class DebugExitProcessTests
{
    /// <summary>Printed once dd has written the byte, if the guest still runs then.</summary>
    private const string Written = "DEBUG-EXIT-WRITTEN";

    /// <summary>
    /// The final command: /dev/port needs a /dev (the init mounts only /proc); 1281 is 0x501; \052 is 42 in octal,
    /// which busybox's printf turns into one byte.
    /// </summary>
    private const string WriteFortyTwo = $"""
        sh -c '/bin/busybox mount -t devtmpfs dev /dev;
        /bin/busybox printf "\052" | /bin/busybox dd of=/dev/port bs=1 seek=1281 count=1 conv=notrunc && echo {Written};
        /bin/busybox poweroff -f'
        """;

    private const string CommandLine = "console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check";
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(4);
    private static readonly QmpClientOptions s_options = new() { ConnectTimeout = TimeSpan.FromMinutes(2), CommandTimeout = TimeSpan.FromMinutes(1) };

    private string? _directory;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-debugexit-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        VmmProcessTests.KillLeftoverVmms();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [EmulatorRetry]
    [Test]
    public async Task DebugExit_GuestWrites42_ShutdownEventThenExitStatus85(CancellationToken cancellationToken)
    {
        string socket = Path.Combine(_directory!, "qmp.sock");
        string console = Path.Combine(_directory!, "console.log");
        using var vmm = VmmProcessTests.StartVmm("--kernel", GuestImages.KernelPath()!, "--initrd", GuestImages.BuildInitramfs(_directory!, WriteFortyTwo),
            "--append", CommandLine, "--serial", $"file:{console}", "--debug-exit", "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options, cancellationToken);

        var shutdown = await VmmProcessTests.NextEventAsync(qmp, "SHUTDOWN", s_bootTimeout);
        Assert.That(shutdown?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-shutdown"}"""),
            "no SHUTDOWN; the console said:\n" + VmmProcessTests.ReadShared(console));
        await vmm.WaitForExitAsync(cancellationToken);
        Assert.That(vmm.ExitCode, Is.EqualTo((42 << 1) | 1), vmm.StandardError.ReadToEnd());
        Assert.That(VmmProcessTests.ReadShared(console), Does.Not.Contain(Written), "the guest ran on after its write");
    }

    [EmulatorRetry]
    [Test]
    public async Task NoDebugExit_GuestWrites42_WriteIgnoredAndPoweroffExitsZero(CancellationToken cancellationToken)
    {
        string socket = Path.Combine(_directory!, "qmp.sock");
        string console = Path.Combine(_directory!, "console.log");
        using var vmm = VmmProcessTests.StartVmm("--kernel", GuestImages.KernelPath()!, "--initrd", GuestImages.BuildInitramfs(_directory!, WriteFortyTwo),
            "--append", CommandLine, "--serial", $"file:{console}", "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options, cancellationToken);

        var shutdown = await VmmProcessTests.NextEventAsync(qmp, "SHUTDOWN", s_bootTimeout);
        await vmm.WaitForExitAsync(cancellationToken);
        string text = VmmProcessTests.ReadShared(console);
        Assert.That(shutdown?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-shutdown"}"""), text);
        Assert.That(text, Does.Contain(Written), "dd did not write the byte to /dev/port");
        Assert.That(vmm.ExitCode, Is.EqualTo(0), vmm.StandardError.ReadToEnd());
    }
}
