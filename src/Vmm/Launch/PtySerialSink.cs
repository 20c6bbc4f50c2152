using System.Runtime.InteropServices;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Launch;

/// <summary>
/// Serial output into a pseudo-terminal's (non-blocking) master, as QEMU's pty chardev: dropped while nobody has the
/// slave open (the master polls POLLHUP), held back while a reader has it open but has not taken what is there (the
/// master has no room: back-pressure, the guest waits).
/// </summary>
internal sealed class PtySerialSink(SafeHandle master) : ISerialSink
{
    private const int WaitMilliseconds = 100;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private bool _failed;

    public int Write(ReadOnlySpan<byte> data)
    {
        try
        {
            int events = HostIo.Poll(master, HostIo.PollOut, WaitMilliseconds, out int errno);
            if (events < 0)
            {
                return Failed(errno, data.Length);
            }

            if ((events & (HostIo.PollHup | HostIo.PollErr)) != 0)
            {
                return data.Length; // nobody has the slave open
            }

            if ((events & HostIo.PollOut) == 0)
            {
                return 0; // the reader has not made room yet
            }

            long written = HostIo.Write(master, data, out errno);
            return written >= 0 ? (int)written
                : errno is Libc.EAgain or Libc.EIntr ? 0
                : errno == HostIo.EIo ? data.Length // the reader closed the slave meanwhile
                : Failed(errno, data.Length);
        }
        catch (ObjectDisposedException)
        {
            return data.Length; // the endpoint is closing
        }
    }

    private int Failed(int errno, int length)
    {
        if (!_failed)
        {
            s_log.Warn("Serial output to the pseudo-terminal failed: {Error}", Libc.ErrorText(errno));
            _failed = true;
        }

        return length;
    }
}
