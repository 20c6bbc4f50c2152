using System.Diagnostics;
using Kvm.Driver.Api;
using Kvm.Driver.Tests.Api;
using Kvm.Vmm.Tests;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// As a user's D-Bus client: kvmd on a private bus, a guest on real KVM, and python3-dbus (kvmd_lifecycle.py) taking
/// the domain through define, start, suspend, resume, a shutdown the guest carries out itself, start, destroy and
/// undefine, checking libvirt's DomainEvent signals, GetState and the Active and Id properties at each step.
/// </summary>
[Category("Kvm")]
[CancelAfter(1_800_000)]
public sealed class KvmdLifecycleTests
{
    private PrivateBus? _bus;
    private Process? _kvmd;
    private string? _directory;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists("/dev/kvm") || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        ExternalTool.RequirePythonDBus();
        _bus = PrivateBus.Start();
        _directory = Directory.CreateTempSubdirectory("kvmd-life-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_directory is null)
        {
            return; // SetUp ignored the test
        }

        if (_kvmd is not null)
        {
            _kvmd.Kill();
            _kvmd.WaitForExit(10_000);
            _kvmd.Dispose();
        }

        // A VM the test left behind names the runtime directory on its command line.
        using (var pkill = Process.Start("pkill", ["-KILL", "-f", Path.Combine(_directory, "run")]))
        {
            pkill.WaitForExit(10_000);
        }

        _bus?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [EmulatorRetry]
    [Test]
    public async Task Lifecycle_OverDBus_SignalsStatesAndPropertiesAsLibvirt()
    {
        _kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, _bus!.Address, TimeSpan.FromMinutes(2),
        [
            "--session", "--state-dir", Path.Combine(_directory!, "state"), "--runtime-dir", Path.Combine(_directory!, "run"),
            "--vmm", Executable.KvmVmm.Path, "--vmm-timeout", "300", "--rpc-socket", Path.Combine(_directory!, "virtqemud-sock"),
        ]);
        string console = Path.Combine(_directory!, "console.log");
        string xml = Path.Combine(_directory!, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>dbus-life</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{GuestImages.BuildInitramfs(_directory!, GuestImages.WaitForPowerButton)}</initrd>
                <cmdline>console=ttyS0 reboot=k panic=1 pci=off no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <serial type='file'><source path='{console}'/></serial>
              </devices>
            </domain>
            """);

        string script = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "kvmd_lifecycle.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(_bus.Address, TimeSpan.FromMinutes(25),
            ExternalTool.Python, script, _bus.Address, LibvirtPaths.Connect, xml, console);

        string guest = File.Exists(console) ? File.ReadAllText(console) : "(no console output)";
        Assert.That((exit, stdout.TrimEnd().Split('\n')[^1]), Is.EqualTo((0, "ok")),
            $"{stdout}\n{stderr}\n--- the guest's console:\n{guest}");
    }
}
