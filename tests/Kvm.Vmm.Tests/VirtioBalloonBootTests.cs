using System.Diagnostics;
using System.Text.Json.Nodes;
using Kvm.Qmp.Client;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// kvm-vmm runs a domain with <c>&lt;memballoon model='virtio'&gt;&lt;stats period='1'/&gt;</c> on real KVM, with
/// Debian's own virtio_balloon driver in the guest (KVM_NESTED_BALLOON_MODULES): QMP balloon to 3/4 of the RAM makes
/// the guest inflate until query-balloon's actual is the target, back to all of it deflates again, and the guest's
/// statistics arrive through QOM guest-stats with a last-update and its total memory.
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VirtioBalloonBootTests
{
    private const string Ready = "BALLOON-GUEST-READY";
    private const long Ram = 256L << 20;
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(4);
    private static readonly QmpClientOptions s_options = new() { ConnectTimeout = TimeSpan.FromMinutes(2), CommandTimeout = TimeSpan.FromMinutes(1) };

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null || BalloonModules() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL, KVM_NESTED_MODULES and KVM_NESTED_BALLOON_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-balloon-").FullName;
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
    [CancelAfter(300_000)]
    public async Task Balloon_TargetSetThroughQmp_GuestInflatesDeflatesAndReportsStats(CancellationToken cancellationToken)
    {
        string console = Path.Combine(_directory, "console.log");
        string socket = Path.Combine(_directory, "qmp.sock");
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", WriteDomain(console), "--qmp", $"unix:{socket},server");
        var stderr = vmm.StandardError.ReadToEndAsync(cancellationToken);
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options, cancellationToken);
        var clock = Stopwatch.StartNew();
        Assert.That(SpinWait.SpinUntil(() => vmm.HasExited || DiskGuest.ReadConsole(console).Contains(Ready, StringComparison.Ordinal), s_timeout) && !vmm.HasExited,
            Is.True, "the guest did not load virtio_balloon; its console:\n" + DiskGuest.ReadConsole(console));
        TestContext.Progress.WriteLine($"balloon: guest driver loaded after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(await ActualAsync(qmp, cancellationToken), Is.EqualTo(Ram), "before any target: all of the RAM");

        await qmp.ExecuteAsync("balloon", new JsonObject { ["value"] = Ram * 3 / 4 }, cancellationToken);
        long inflated = await WaitForActualAsync(qmp, Ram * 3 / 4, console, cancellationToken);
        TestContext.Progress.WriteLine($"balloon: actual {inflated >> 20} MiB after {clock.Elapsed.TotalSeconds:F1} s");

        await qmp.ExecuteAsync("balloon", new JsonObject { ["value"] = Ram }, cancellationToken);
        long deflated = await WaitForActualAsync(qmp, Ram, console, cancellationToken);
        TestContext.Progress.WriteLine($"balloon: actual {deflated >> 20} MiB again after {clock.Elapsed.TotalSeconds:F1} s");

        JsonNode? stats = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_timeout)
        {
            stats = await qmp.ExecuteAsync("qom-get", new JsonObject { ["path"] = "/machine/peripheral/balloon0", ["property"] = "guest-stats" }, cancellationToken);
            if (stats?["last-update"] is { } update && Number(update) > 0 && stats["stats"]?["stat-total-memory"] is { } total && Number(total) < ulong.MaxValue)
            {
                break;
            }

            await Task.Delay(500, cancellationToken);
        }

        TestContext.Progress.WriteLine($"balloon: guest-stats {stats?.ToJsonString()}");
        Assert.That(Number(stats!["last-update"]!), Is.GreaterThan((decimal)DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()), "a recent last-update");
        decimal totalMemory = Number(stats["stats"]!["stat-total-memory"]!);
        Assert.That(totalMemory, Is.GreaterThan((decimal)Ram / 2).And.LessThanOrEqualTo((decimal)Ram), "the guest's MemTotal, in bytes");
        Assert.That(Number(stats["stats"]!["stat-free-memory"]!), Is.LessThan(totalMemory));

        await qmp.ExecuteAsync("quit", null, cancellationToken);
        await vmm.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        Assert.That(await stderr, Does.Not.Contain("broken"), "no virtqueue broke");
    }

    /// <summary>A JSON number whatever .NET type the client read it as (QEMU's unreported figures exceed long).</summary>
    private static decimal Number(JsonNode node) =>
        decimal.Parse(node.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<long> ActualAsync(QmpClient qmp, CancellationToken cancellationToken) =>
        (await qmp.ExecuteAsync("query-balloon", null, cancellationToken))!["actual"]!.GetValue<long>();

    private static async Task<long> WaitForActualAsync(QmpClient qmp, long target, string console, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        long actual;
        while ((actual = await ActualAsync(qmp, cancellationToken)) != target && deadline.Elapsed < s_timeout)
        {
            await Task.Delay(250, cancellationToken);
        }

        Assert.That(actual, Is.EqualTo(target), "query-balloon's actual did not reach the target; the guest's console:\n" + DiskGuest.ReadConsole(console));
        return actual;
    }

    private static string? BalloonModules()
    {
        string? path = Environment.GetEnvironmentVariable("KVM_NESTED_BALLOON_MODULES");
        return path is not null && File.Exists(Path.Combine(path, "virtio_balloon.ko")) ? path : null;
    }

    private string WriteDomain(string console)
    {
        string initrd = DiskGuest.BuildInitramfs(_directory, $"""
            echo "{Ready}"
            /bin/busybox grep MemTotal /proc/meminfo
            /bin/busybox sleep 600
            /bin/busybox poweroff -f
            """, BalloonModules(), onlyModules: ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci"]);
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>balloon-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{initrd}</initrd>
                <cmdline>console=ttyS0 panic=1 no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <memballoon model='virtio'>
                  <stats period='1'/>
                </memballoon>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        return xml;
    }
}
