using System.Diagnostics;
using Kvm.Vmm.Block;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Block;

/// <summary>QEMU-compatible image locking, checked against the real qemu-img and qemu-io both ways.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ImageLockTests
{
    private string _dir = "";
    private string _image = "";

    [SetUp]
    public void SetUp()
    {
        QemuTools.Require();
        _dir = QemuTools.ScratchDirectory("lock");
        _image = Path.Combine(_dir, "locked.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", _image, "1M");
    }

    [TearDown]
    public void TearDown() => QemuTools.DeleteScratch(_dir);

    [Test]
    public void Acquire_WhileQemuIoWrites_RefusesWithQemusWording()
    {
        using var qemu = HoldWithQemuIo(readOnly: false);
        var e = Assert.Throws<BlockException>(() => Open(readOnly: false));
        Assert.That(e!.Message, Is.EqualTo($"Failed to get \"write\" lock on {_image}: is another process using the image?"));
        e = Assert.Throws<BlockException>(() => Open(readOnly: true));
        Assert.That(e!.Message, Does.StartWith("Failed to get shared \"write\" lock on " + _image));
    }

    [Test]
    public void Acquire_WhileQemuIoReadsOnly_AllowsAReadOnlyOpenButNotAWritableOne()
    {
        using var qemu = HoldWithQemuIo(readOnly: true);
        using (var disk = Open(readOnly: true))
        {
            Assert.That(disk.ReadOnly, Is.True);
        }

        Assert.Throws<BlockException>(() => Open(readOnly: false));
    }

    [Test]
    public void Acquire_WritableHeldByUs_QemuImgInfoCannotGetTheSharedWriteLock()
    {
        using (Open(readOnly: false))
        {
            var info = QemuTools.Img("info", _image);
            Assert.That(info.ExitCode, Is.Not.EqualTo(0));
            Assert.That(info.Stderr, Does.Contain("Failed to get shared \"write\" lock"));
            Assert.That(QemuTools.Img("info", "-U", _image).ExitCode, Is.EqualTo(0), "-U (force share) must still work");
            var write = QemuTools.Io("-f", "qcow2", "-c", "write 0 512", _image);
            Assert.That(write.Stderr + write.Stdout, Does.Contain("lock"));
        }

        Assert.That(QemuTools.Img("info", _image).ExitCode, Is.EqualTo(0), "closing the image must drop the locks");
    }

    [Test]
    public void Acquire_ReadOnlyHeldByUs_QemuMayReadButNotWrite()
    {
        using (Open(readOnly: true))
        {
            Assert.That(QemuTools.Io("-r", "-f", "qcow2", "-c", "read 0 512", _image).ExitCode, Is.EqualTo(0));
            var write = QemuTools.Io("-f", "qcow2", "-c", "write 0 512", _image);
            Assert.That(write.Stderr + write.Stdout, Does.Contain("Failed to get \"write\" lock"));
        }
    }

    [Test]
    public void Acquire_TwoOpensOfOurs_SecondWritableFailsTwoReadOnlyShare()
    {
        using (Open(readOnly: false))
        {
            Assert.Throws<BlockException>(() => Open(readOnly: false));
        }

        using var first = Open(readOnly: true);
        using var second = Open(readOnly: true);
        Assert.That(second.Size, Is.EqualTo(1UL << 20));
    }

    [Test]
    public void Acquire_Shareable_TwoWritersMayOpen()
    {
        using var first = Open(readOnly: false, shareable: true);
        using var second = Open(readOnly: false, shareable: true);
        Assert.That(second.ReadOnly, Is.False);
    }

    private IBlockBackend Open(bool readOnly, bool shareable = false) =>
        BlockBackends.Open(new BlockOpenOptions { Path = _image, Format = ImageFormat.Qcow2, ReadOnly = readOnly, Shareable = shareable });

    /// <summary>qemu-io with the image open (interactive, reading commands from a pipe we keep open), once its locks are in place.</summary>
    private HeldImage HoldWithQemuIo(bool readOnly)
    {
        var info = new ProcessStartInfo(QemuTools.QemuIo) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        if (readOnly)
        {
            info.ArgumentList.Add("-r");
        }

        info.ArgumentList.Add("-f");
        info.ArgumentList.Add("qcow2");
        info.ArgumentList.Add(_image);
        var process = Process.Start(info)!;
        var deadline = Stopwatch.StartNew();
        string inode = $":{QemuTools.Run("/usr/bin/stat", "-c", "%i", _image).Stdout.Trim()} ";
        while (!File.ReadAllText("/proc/locks").Contains(inode, StringComparison.Ordinal))
        {
            Assert.That(deadline.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "qemu-io never locked the image");
            Thread.Sleep(50);
        }

        return new HeldImage(process);
    }

    private sealed class HeldImage(Process process) : IDisposable
    {
        public void Dispose()
        {
            process.StandardInput.WriteLine("quit");
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
            }

            process.Dispose();
        }
    }
}
