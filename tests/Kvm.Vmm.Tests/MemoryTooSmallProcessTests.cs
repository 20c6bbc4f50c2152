using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A guest whose memory cannot hold Debian's stock kernel, or the kernel and its initrd: kvm-vmm says so with the sizes
/// and exits 1, on real KVM (the check runs once the VM exists, after /dev/kvm is opened).
/// </summary>
[Category("Kvm")]
[CancelAfter(300_000)]
public sealed class MemoryTooSmallProcessTests
{
    private string? _directory;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-memory-").FullName;
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
    public async Task Memory_SmallerThanTheKernel_IsRefusedWithWhatItNeeds(CancellationToken cancellationToken)
    {
        string error = await RunAsync(cancellationToken, "--kernel", GuestImages.KernelPath()!, "--memory", "8", "--serial", "null");
        Assert.That(error, Does.Match("memory too small for the kernel: it needs [0-9]+ MiB of RAM below 3072 MiB, the guest has 8 MiB there"));
    }

    [EmulatorRetry]
    [Test]
    public async Task Memory_TooSmallForKernelAndInitrd_IsRefusedWithWhatTheyNeed(CancellationToken cancellationToken)
    {
        string initrd = Path.Combine(_directory!, "big-initrd");
        using (var file = File.Create(initrd))
        {
            file.SetLength(100 * 1024 * 1024);
        }

        string error = await RunAsync(cancellationToken, "--kernel", GuestImages.KernelPath()!, "--initrd", initrd, "--memory", "128", "--serial", "null");
        Assert.That(error, Does.Match("memory too small for the kernel and initrd: they need [0-9]+ MiB below 128 MiB, the guest has 128 MiB there"));
    }

    private static async Task<string> RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        using var vmm = VmmProcessTests.StartVmm(arguments);
        Task<string> error = vmm.StandardError.ReadToEndAsync(cancellationToken);
        await vmm.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        string text = await error;
        Assert.That(vmm.ExitCode, Is.EqualTo(1), text);
        return text;
    }
}
