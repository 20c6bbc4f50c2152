using Kvm.Driver.Tests.Api;
using Kvm.Vmm.Tests;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// <c>virsh console</c> on a real guest: kvmd serving libvirt's RPC protocol, a guest on real KVM whose serial is a
/// pty and whose init ends in a busybox shell on it; Debian's virsh, through a pseudo-terminal (Rpc/virsh_console.py),
/// types a command into the guest's shell and reads its answer, is refused a second session, and is taken over by
/// <c>--force</c>, after which the new session gets the answers.
/// </summary>
[Category("Kvm")]
[CancelAfter(1_800_000)]
public sealed class KvmdConsoleTests
{
    private const string Virsh = "/usr/bin/virsh";
    private KvmdOnPrivateBus? _kvmd;

    [SetUp]
    public void SetUp()
    {
        _kvmd = KvmdOnPrivateBus.Create("kvmd-console-");
        ExternalTool.Require(Virsh, "libvirt-clients");
    }

    [TearDown]
    public void TearDown() => _kvmd?.Dispose();

    [EmulatorRetry]
    [Test]
    public async Task Console_VirshOnRunningGuest_ShellAnswersAndForceTakesOver()
    {
        await _kvmd!.StartKvmdAsync();
        string uri = "qemu:///session?socket=" + Path.Combine(_kvmd.Directory, "virtqemud-sock");
        string xml = Path.Combine(_kvmd.Directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>console-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{GuestImages.BuildInitramfs(_kvmd.Directory, "sh")}</initrd>
                <cmdline>console=ttyS0 reboot=k panic=1 pci=off no_timer_check</cmdline>
              </os>
              <devices>
                <serial type='pty'/>
              </devices>
            </domain>
            """);
        TimeSpan slow = TimeSpan.FromMinutes(5);
        Assert.That(ExternalTool.Run(null, slow, Virsh, "-c", uri, "define", xml).Exit, Is.Zero);
        (int exit, _, string stderr) = ExternalTool.Run(null, slow, Virsh, "-c", uri, "start", "console-guest");
        Assert.That(exit, Is.Zero, stderr);

        (exit, string stdout, stderr) = ExternalTool.Run(null, TimeSpan.FromMinutes(20), ExternalTool.Python,
            [Path.Combine(AppContext.BaseDirectory, "Rpc", "virsh_console.py"), uri, "console-guest", "echo $((6*7))KVMD", "42KVMD", "600"]);
        TestContext.Out.WriteLine(stdout);
        Assert.That((exit, stdout.TrimEnd().Split('\n')[^1]), Is.EqualTo((0, "ok")), stdout + stderr);
        Assert.That(stdout, Does.Contain("A ended: error:"));

        Assert.That(ExternalTool.Run(null, slow, Virsh, "-c", uri, "destroy", "console-guest").Exit, Is.Zero);
    }
}
