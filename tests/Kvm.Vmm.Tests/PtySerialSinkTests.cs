using Kvm.Vmm.Interop;
using Kvm.Vmm.Launch;
using Microsoft.Win32.SafeHandles;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The pty end of the serial console, as QEMU's: output dropped while nobody has the slave open, held back while a reader is slow.</summary>
public sealed class PtySerialSinkTests
{
    private SafeFileHandle _master = null!;
    private string _slavePath = null!;

    [SetUp]
    public void SetUp()
    {
        int fd = Pty.OpenMaster(out _slavePath, out int errno);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Libc.ErrorText(errno));
        _master = new SafeFileHandle(fd, ownsHandle: true);
    }

    [TearDown]
    public void TearDown() => _master.Dispose();

    [Test]
    public void Write_NobodyHasTheSlaveOpen_DiscardsEverythingWithoutWaiting()
    {
        var sink = new PtySerialSink(_master);
        byte[] chunk = new byte[64 << 10];

        // Far more than a pty holds: every write is taken, none is held back.
        int[] taken = [.. Enumerable.Range(0, 32).Select(_ => sink.Write(chunk))];

        Assert.That(taken, Has.All.EqualTo(chunk.Length));
    }

    [Test]
    public void Write_SlaveOpen_TheReaderGetsTheBytes()
    {
        var sink = new PtySerialSink(_master);
        using var slave = OpenSlave();

        int written = sink.Write("console line\n"u8);
        var line = new byte[64];
        int read = slave.Read(line);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(13));
            Assert.That(line[..read], Is.EqualTo("console line\n"u8.ToArray()));
        });
    }

    [Test]
    public void Write_SlaveOpenButNotRead_HoldsBackUntilTheReaderTakesSome()
    {
        var sink = new PtySerialSink(_master);
        using var slave = OpenSlave();
        byte[] chunk = new byte[4096];

        long accepted = 0;
        int writes = 0;
        int taken;
        while ((taken = sink.Write(chunk)) > 0)
        {
            accepted += taken;
            Assert.That(++writes, Is.LessThan(10_000), "the pty never filled up");
        }

        var drained = new byte[accepted];
        int read = slave.Read(drained);
        Assert.That(read, Is.GreaterThan(0));
        Assert.That(sink.Write(chunk), Is.GreaterThan(0), "room came back once the reader read");
    }

    [Test]
    public void Write_ReaderClosesTheSlave_DiscardsAgain()
    {
        var sink = new PtySerialSink(_master);
        var slave = OpenSlave();
        sink.Write("seen\n"u8);
        slave.Dispose();

        Assert.That(sink.Write(new byte[64 << 10]), Is.EqualTo(64 << 10));
    }

    private FileStream OpenSlave() => new(_slavePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
}
