using System.Diagnostics;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Kvmctl;
using Kvm.Vmm.Tests;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// As a user: kvmd on a private bus, a guest started with kvmctl on real KVM, then kill -9 of kvmd. The VM keeps
/// running in its own session; a new kvmd on the same directories re-attaches and controls it.
/// </summary>
[Category("Kvm")]
[CancelAfter(900_000)]
public sealed class KvmdKillTests
{
    private const string Name = "kill-survivor";
    private PrivateBus? _bus;
    private string _directory = null!;
    private readonly List<Process> _daemons = [];

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists("/dev/kvm") || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _bus = PrivateBus.Start();
        _directory = Directory.CreateTempSubdirectory("kvmd-kill-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_directory is null)
        {
            return; // SetUp ignored the test (no KVM here)
        }

        foreach (var daemon in _daemons)
        {
            try
            {
                daemon.Kill();
                daemon.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            daemon.Dispose();
        }

        // A VM the test left behind (its command line names the runtime directory) goes with the directory.
        Run("pkill", "-KILL", "-f", Path.Combine(_directory, "run"));

        _bus?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [EmulatorRetry]
    [Test]
    public async Task KillNine_WhileAGuestRuns_NewKvmdReattachesAndControlsIt()
    {
        var kvmd = await StartKvmdAsync();
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>{Name}</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{GuestImages.BuildInitramfs(_directory, "sleep 600")}</initrd>
                <cmdline>console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check</cmdline>
              </os>
              <devices>
                <serial type='file'><source path='{Path.Combine(_directory, "console.log")}'/></serial>
              </devices>
            </domain>
            """);
        Expect(Kvmctl("define", xml), $"Domain '{Name}' defined from {xml}");
        Expect(Kvmctl("start", Name), $"Domain '{Name}' started");
        Expect(Kvmctl("domstate", Name), "running");

        kvmd.Kill(); // SIGKILL
        await kvmd.WaitForExitAsync();
        string statusFile = Path.Combine(_directory, "run", Name + ".status");
        Assert.That(File.Exists(statusFile), Is.True, "the runtime status outlives kvmd");

        await StartKvmdAsync();
        Expect(Kvmctl("domstate", Name), "running");
        Expect(Kvmctl("suspend", Name), $"Domain '{Name}' suspended");
        Expect(Kvmctl("domstate", "--reason", Name), "paused (user)");
        Expect(Kvmctl("resume", Name), $"Domain '{Name}' resumed");
        Expect(Kvmctl("destroy", Name), $"Domain '{Name}' destroyed");
        Expect(Kvmctl("domstate", "--reason", Name), "shut off (destroyed)");
        Expect(Kvmctl("undefine", Name), $"Domain '{Name}' has been undefined");
    }

    private Executable.Result Kvmctl(params string[] args) => KvmctlProcess.Kvmctl(_bus!.Address, null, args);

    private static void Expect(Executable.Result result, string firstLine) =>
        Assert.That((result.ExitCode, result.Stdout.Split('\n')[0]), Is.EqualTo((0, firstLine)), result.Stdout + result.Stderr);

    private async Task<Process> StartKvmdAsync()
    {
        var process = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, _bus!.Address, TimeSpan.FromMinutes(2),
        [
            "--session", "--state-dir", Path.Combine(_directory, "state"), "--runtime-dir", Path.Combine(_directory, "run"),
            "--vmm", Executable.KvmVmm.Path, "--vmm-timeout", "240", "--rpc-socket", Path.Combine(_directory, "virtqemud-sock"),
        ]);
        _daemons.Add(process);
        return process;
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false });
        process?.WaitForExit(10_000);
    }
}
