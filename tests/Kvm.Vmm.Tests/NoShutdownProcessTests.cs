using System.Text.Json.Nodes;
using Kvm.Qmp;
using Kvm.Qmp.Client;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// QEMU's -no-shutdown and set-action shutdown=pause, which libvirt's reboot relies on: a guest power-off gives
/// SHUTDOWN and STOP and leaves the process waiting in run state "shutdown"; cont is refused until a system_reset,
/// which leaves a fresh machine in prelaunch, and cont then boots the kernel again.
/// </summary>
[Category("Kvm")]
[CancelAfter(600_000)]
public sealed class NoShutdownProcessTests
{
    private static readonly TimeSpan s_boot = TimeSpan.FromMinutes(4);
    private static readonly QmpClientOptions s_options = new() { ConnectTimeout = TimeSpan.FromMinutes(2), CommandTimeout = TimeSpan.FromMinutes(1) };

    private string? _directory;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-noshutdown-").FullName;
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

    /// <summary>The command-line form: the guest powers off and the VM waits; reset and cont boot it again.</summary>
    [EmulatorRetry]
    [Test]
    public async Task NoShutdown_GuestPoweroff_StopsInShutdownThenResetAndContBootAgain(CancellationToken cancellationToken)
    {
        string console = Path.Combine(_directory!, "console.log");
        string socket = Path.Combine(_directory!, "qmp.sock");
        using var vmm = VmmProcessTests.StartVmm("--kernel", GuestImages.KernelPath()!, "--initrd", GuestImages.BuildInitramfs(_directory!),
            "--append", "console=ttyS0 panic=1 pci=off nomodule no_timer_check", "--serial", $"file:{console}",
            "--qmp", $"unix:{socket},server", "--no-shutdown");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options, cancellationToken);

        await ExpectPausedShutdownAsync(qmp, vmm, cancellationToken);
        await ResetAndContAsync(qmp, console, cancellationToken);

        await qmp.ExecuteAsync("quit", null, cancellationToken);
        await vmm.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        Assert.That(vmm.ExitCode, Is.EqualTo(0), vmm.StandardError.ReadToEnd());
    }

    /// <summary>The monitor form, as libvirt's reboot uses it: set-action while the guest runs, then its power-off.</summary>
    [EmulatorRetry]
    [Test]
    public async Task SetActionShutdownPause_GuestPoweroff_StopsInShutdownAndPoweroffActionIsGivenBack(CancellationToken cancellationToken)
    {
        string console = Path.Combine(_directory!, "console.log");
        string socket = Path.Combine(_directory!, "qmp.sock");
        using var vmm = VmmProcessTests.StartVmm("--kernel", GuestImages.KernelPath()!, "--initrd", GuestImages.BuildInitramfs(_directory!),
            "--append", "console=ttyS0 panic=1 pci=off nomodule no_timer_check", "--serial", $"file:{console}",
            "--qmp", $"unix:{socket},server", "--paused");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options, cancellationToken);
        await qmp.ExecuteAsync("set-action", new JsonObject { ["shutdown"] = "pause" }, cancellationToken);
        await qmp.ExecuteAsync("cont", null, cancellationToken);

        await ExpectPausedShutdownAsync(qmp, vmm, cancellationToken);

        // Back to poweroff: the next power-off ends the VM (on_poweroff destroy) as without set-action.
        await qmp.ExecuteAsync("set-action", new JsonObject { ["shutdown"] = "poweroff" }, cancellationToken);
        await ResetAndContAsync(qmp, console, cancellationToken);
        var shutdown = await VmmProcessTests.NextEventAsync(qmp, "SHUTDOWN", s_boot);
        Assert.That(shutdown?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-shutdown"}"""));
        await vmm.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        Assert.That(vmm.ExitCode, Is.EqualTo(0), vmm.StandardError.ReadToEnd());
    }

    private static async Task ExpectPausedShutdownAsync(QmpClient qmp, System.Diagnostics.Process vmm, CancellationToken cancellationToken)
    {
        var shutdown = await VmmProcessTests.NextEventAsync(qmp, "SHUTDOWN", s_boot);
        Assert.That(shutdown?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-shutdown"}"""), "the guest powered off");
        Assert.That(await VmmProcessTests.NextEventAsync(qmp, "STOP", TimeSpan.FromSeconds(30)), Is.Not.Null, "STOP follows SHUTDOWN");
        var status = await qmp.ExecuteAsync("query-status", null, cancellationToken);
        Assert.That(status!["status"]!.GetValue<string>(), Is.EqualTo("shutdown"));
        Assert.That(status["running"]!.GetValue<bool>(), Is.False);
        var refused = await Assert.ThrowsAsync<QmpException>(async () => await qmp.ExecuteAsync("cont", null, cancellationToken));
        Assert.That(refused!.Message, Does.Contain("Resetting the Virtual Machine is required"));
        Assert.That(vmm.HasExited, Is.False, "the process waits for its monitor");
    }

    private static async Task ResetAndContAsync(QmpClient qmp, string console, CancellationToken cancellationToken)
    {
        await qmp.ExecuteAsync("system_reset", null, cancellationToken);
        var reset = await VmmProcessTests.NextEventAsync(qmp, "RESET", TimeSpan.FromMinutes(1));
        Assert.That(reset?.Data?.ToJsonString(), Is.EqualTo("""{"guest":false,"reason":"host-qmp-system-reset"}"""));
        var status = await qmp.ExecuteAsync("query-status", null, cancellationToken);
        Assert.That(status!["status"]!.GetValue<string>(), Is.EqualTo("prelaunch"));

        await qmp.ExecuteAsync("cont", null, cancellationToken);
        Assert.That(await VmmProcessTests.NextEventAsync(qmp, "RESUME", TimeSpan.FromSeconds(30)), Is.Not.Null);
        var deadline = DateTime.UtcNow + s_boot;
        while (CountOf(VmmProcessTests.ReadShared(console), GuestImages.Marker) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, cancellationToken);
        }

        Assert.That(CountOf(VmmProcessTests.ReadShared(console), GuestImages.Marker), Is.EqualTo(2), "the kernel booted to /init again");
    }

    private static int CountOf(string text, string marker) =>
        (text.Length - text.Replace(marker, string.Empty, StringComparison.Ordinal).Length) / marker.Length;
}
