using Kvm.Vmm.Interop;
using Microsoft.Win32.SafeHandles;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The serial console's pseudo-terminal is raw, as QEMU's: what the guest writes is not echoed back to it.</summary>
public sealed class PtyTests
{
    [Test]
    public void OpenMaster_SlaveOpenedWithDefaults_NoEchoAndNoNewlineTranslation()
    {
        int fd = Pty.OpenMaster(out string path, out int errno);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Libc.ErrorText(errno));
        using var master = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
        using var slave = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);

        // The guest's output (written to the master) reaches a reader of the slave unchanged...
        master.Write("guest\n"u8);
        var line = new byte[16];
        int read = slave.Read(line);
        Assert.That(line[..read], Is.EqualTo("guest\n"u8.ToArray()));

        // ...and nothing comes back to the master: no echo, which would feed the guest its own output.
        Thread.Sleep(200);
        Assert.That(() => master.Read(new byte[16]), Throws.InstanceOf<IOException>(), "the master would block: nothing was echoed");

        // What the user types (written to the slave) reaches the master without CR/NL translation.
        slave.Write("typed\n"u8);
        Thread.Sleep(100);
        read = master.Read(line);
        Assert.That(line[..read], Is.EqualTo("typed\n"u8.ToArray()));
    }
}
