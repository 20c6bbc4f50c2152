using Kvm.Qmp.Client;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A reset builds the machine again from its configuration. When that can no longer be done (here: the kernel file is
/// gone), the process must end, with status 1 and no SHUTDOWN (a monitor reads it as a crash), rather than live on
/// without a VM.
/// </summary>
[Category("Kvm")]
[CancelAfter(300_000)]
public sealed class ResetRebuildProcessTests
{
    private static readonly QmpClientOptions s_options = new() { ConnectTimeout = TimeSpan.FromMinutes(2), CommandTimeout = TimeSpan.FromMinutes(1) };

    private string? _directory;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-rebuild-").FullName;
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
    public async Task SystemReset_KernelFileGone_ExitsWithStatusOneWithoutShutdown(CancellationToken cancellationToken)
    {
        string kernel = Path.Combine(_directory!, "vmlinuz");
        File.Copy(GuestImages.KernelPath()!, kernel);
        string socket = Path.Combine(_directory!, "qmp.sock");
        using var vmm = VmmProcessTests.StartVmm("--kernel", kernel, "--append", "console=ttyS0", "--serial", "null",
            "--qmp", $"unix:{socket},server", "--paused");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options, cancellationToken);
        File.Delete(kernel);

        await qmp.ExecuteAsync("system_reset", null, cancellationToken);
        var reset = await VmmProcessTests.NextEventAsync(qmp, "RESET", TimeSpan.FromMinutes(1));
        Assert.That(reset?.Data?.ToJsonString(), Is.EqualTo("""{"guest":false,"reason":"host-qmp-system-reset"}"""));
        await vmm.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        string log = vmm.StandardError.ReadToEnd();
        Assert.That(vmm.ExitCode, Is.EqualTo(1), log);
        Assert.That(log, Does.Contain("Cannot build the machine again after a reset").And.Contain("vmlinuz"));
        Assert.That(await VmmProcessTests.NextEventAsync(qmp, "SHUTDOWN", TimeSpan.FromSeconds(2)), Is.Null);
    }
}
