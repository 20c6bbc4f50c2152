using System.Diagnostics;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>kvm-vmm's answers to bad input, as a user sees them: a clear message on stderr and a non-zero exit.</summary>
public sealed class VmmCommandLineTests
{
    [Test]
    public void MissingKernelFile_IsNamed()
    {
        var (code, error) = Run("--kernel", "/nonexistent/vmlinuz");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("cannot read the kernel /nonexistent/vmlinuz"));
    }

    [Test]
    public void FileThatIsNotABzImage_IsRefused()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, new byte[8192]);
            var (code, error) = Run("--kernel", file);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain($"the kernel {file} is not a Linux bzImage"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void NoDevKvm_SaysKvmIsNotAvailable()
    {
        if (File.Exists("/dev/kvm"))
        {
            Assert.Ignore("this machine has /dev/kvm; the message for its absence is tested where it is missing (CI's host)");
        }

        string kernel = Environment.GetEnvironmentVariable("KVM_NESTED_KERNEL") ?? FindKernel();
        var (code, error) = Run("--kernel", kernel);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("KVM is not available: /dev/kvm does not exist; is the kvm module loaded"));
    }

    [Test]
    public void TooManyVcpus_AreRefusedWithTheLimit()
    {
        string kernel = FindKernel();
        var (code, error) = Run("--kernel", kernel, "--smp", "300");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("300 vCPUs: at most 254 are supported"));
    }

    [Test]
    public void NothingToRun_SaysWhatToGive()
    {
        var (code, error) = Run();
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("nothing to run: give --domain-xml FILE, --kernel FILE, or --machine none"));
    }

    [Test]
    public void SerialUnixSocketInAMissingDirectory_IsRefusedWithThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), "kvm-vmm-no-such-directory", "console.sock");
        var (code, error) = Run("--kernel", FindKernel(), "--serial", $"unix:{path}");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain($"cannot listen on {path} for the serial console: No such file or directory"));
    }

    [Test]
    public void UnknownSerialOption_ListsTheChoices()
    {
        var (code, error) = Run("--kernel", FindKernel(), "--serial", "tcp:127.0.0.1:4555");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("expected stdio, pty, null, file:PATH or unix:PATH"));
    }

    /// <summary>A bzImage-shaped file is enough to get past the kernel checks to the KVM check.</summary>
    private static string FindKernel()
    {
        string file = Path.Combine(Path.GetTempPath(), "kvm-vmm-fake-bzimage");
        byte[] image = FakeBzImage.Bytes();
        File.WriteAllBytes(file, image);
        return file;
    }

    private static (int Code, string Error) Run(params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "kvm-vmm")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
