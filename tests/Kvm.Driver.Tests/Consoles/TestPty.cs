using System.Runtime.InteropServices;
using System.Text;

namespace Kvm.Driver.Tests.Consoles;

/// <summary>
/// A real pseudo-terminal standing in for kvm-vmm's console: the test holds the master (the guest's side), kvmd opens
/// the slave path as it opens a domain's pty. Raw mode, as kvm-vmm sets it.
/// </summary>
internal sealed partial class TestPty : IDisposable
{
    private const int ORdWr = 2, ONoCtty = 0x100, ONonBlock = 0x800, FSetFl = 4;
    private const short PollIn = 1;
    private int _master;

    public TestPty()
    {
        _master = PosixOpenPt(ORdWr | ONoCtty);
        Assert.That(_master, Is.GreaterThanOrEqualTo(0), "posix_openpt");
        Assert.That(GrantPt(_master) == 0 && UnlockPt(_master) == 0 && Fcntl(_master, FSetFl, ORdWr | ONonBlock) == 0, "grantpt, unlockpt, O_NONBLOCK");
        SlavePath = Marshal.PtrToStringUTF8(PtsName(_master))!;
        int slave = Open(SlavePath, ORdWr | ONoCtty);
        byte[] termios = new byte[128];
        Assert.That(TcGetAttr(slave, termios), Is.Zero);
        CfMakeRaw(termios);
        Assert.That(TcSetAttr(slave, 0, termios), Is.Zero);
        Close(slave);
    }

    /// <summary>The path kvmd opens (the live XML's &lt;source path&gt;).</summary>
    public string SlavePath { get; }

    /// <summary>The guest writes to its console.</summary>
    public void GuestWrites(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Assert.That((int)Write(_master, bytes, (nuint)bytes.Length), Is.EqualTo(bytes.Length));
    }

    /// <summary>What reached the guest within <paramref name="timeout"/>, read until <paramref name="expected"/> bytes came.</summary>
    public string GuestReads(int expected, TimeSpan timeout)
    {
        var received = new List<byte>();
        DateTime end = DateTime.UtcNow + timeout;
        byte[] buffer = new byte[4096];
        while (received.Count < expected && DateTime.UtcNow < end)
        {
            var fd = new PollFd { Fd = _master, Events = PollIn };
            if (Poll(ref fd, 1, 100) > 0)
            {
                nint n = Read(_master, buffer, (nuint)buffer.Length);
                if (n > 0)
                {
                    received.AddRange(buffer.AsSpan(0, (int)n).ToArray());
                }
            }
        }
        return Encoding.UTF8.GetString([.. received]);
    }

    /// <summary>The guest's side goes away (the VMM exited): the slave hangs up.</summary>
    public void HangUp()
    {
        if (_master >= 0)
        {
            Close(_master);
            _master = -1;
        }
    }

    public void Dispose() => HangUp();

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenPt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int GrantPt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int UnlockPt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname")]
    private static partial nint PtsName(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, [Out] byte[] buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte[] buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int optionalActions, byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw([In, Out] byte[] termios);
}
