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
        string kernel = FindKernel();
        var (code, error) = File.Exists("/dev/kvm")
            ? RunWithPrivateDev(setup: string.Empty, withoutFilePermissionOverride: false, "--kernel", kernel)
            : Run("--kernel", kernel);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("KVM is not available: /dev/kvm does not exist; is the kvm module loaded"));
    }

    [Test]
    public void DevKvmNotAccessible_NamesTheGroupToJoin()
    {
        // A /dev/kvm owned by another user and the kvm group, mode 0660 (a /dev of its own, in a mount namespace),
        // opened by root without the capabilities that override file permissions: as a user outside the group.
        string group = File.ReadLines("/etc/group").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[0] == "kvm") is { } kvm
            ? kvm[2] : "107";
        var (code, error) = RunWithPrivateDev($"mknod -m 0660 /dev/kvm c 10 232 && chown 1:{group} /dev/kvm && ",
            withoutFilePermissionOverride: true, "--kernel", FindKernel());
        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error, Does.Contain("KVM is not accessible: permission denied on /dev/kvm; join the group that owns it ("));
        Assert.That(error, Does.Contain($"gid {group})"));
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

    [Test]
    public void DebugExitWithABadProperty_SaysWhatItExpects()
    {
        var (code, error) = Run("--kernel", FindKernel(), "--debug-exit", "iobase=0x501,size=2");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--debug-exit iobase=0x501,size=2: unknown property 'size'; expected iobase=N,iosize=N (default iobase=0x501,iosize=2)"));
    }

    [Test]
    public void DebugExit_WithoutAValue_IsAcceptedAsAFlag()
    {
        // No /dev/kvm here (or a hidden one): the option parsed, the run stops at KVM.
        string kernel = FindKernel();
        var (code, error) = File.Exists("/dev/kvm")
            ? RunWithPrivateDev(setup: string.Empty, withoutFilePermissionOverride: false, "--debug-exit", "--kernel", kernel)
            : Run("--debug-exit", "--kernel", kernel);
        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error, Does.Contain("KVM is not available"));
    }

    /// <summary>A bzImage-shaped file is enough to get past the kernel checks to the KVM check.</summary>
    private static string FindKernel()
    {
        string file = Path.Combine(Path.GetTempPath(), "kvm-vmm-fake-bzimage");
        byte[] image = FakeBzImage.Bytes();
        File.WriteAllBytes(file, image);
        return file;
    }

    /// <summary>
    /// Runs kvm-vmm in a mount namespace whose /dev is an empty tmpfs (after <paramref name="setup"/>, shell commands
    /// ending in &amp;&amp;), without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH when asked: the device errors of a machine
    /// without /dev/kvm, on one that has it. Needs root and util-linux's unshare and setpriv.
    /// </summary>
    private static (int Code, string Error) RunWithPrivateDev(string setup, bool withoutFilePermissionOverride, params string[] arguments)
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/unshare") || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Ignore("this machine has /dev/kvm: the test hides it in a mount namespace, which needs root and util-linux (unshare, setpriv)");
        }

        string drop = withoutFilePermissionOverride ? "setpriv --bounding-set=-dac_override,-dac_read_search " : string.Empty;
        string[] wrapped = ["--mount", "--", "sh", "-c", $"mount -t tmpfs none /dev && {setup}exec {drop}\"$0\" \"$@\"",
            Path.Combine(AppContext.BaseDirectory, "kvm-vmm"), .. arguments];
        return RunFile("/usr/bin/unshare", wrapped);
    }

    private static (int Code, string Error) Run(params string[] arguments) =>
        RunFile(Path.Combine(AppContext.BaseDirectory, "kvm-vmm"), arguments);

    private static (int Code, string Error) RunFile(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
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
