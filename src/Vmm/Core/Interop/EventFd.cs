using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Interop;

/// <summary>
/// An eventfd(2) counter: what KVM signals when the guest kicks a queue (ioeventfd), what we signal to interrupt the
/// guest (irqfd), and how a device thread is told to stop. Reads and writes are of the 8-byte counter.
/// </summary>
public sealed unsafe partial class EventFd : IDisposable
{
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;

    private EventFd(SafeFileHandle handle) => Handle = handle;

    public SafeFileHandle Handle { get; }

    /// <summary>The descriptor, for ioctls that take it; valid while this object is not disposed.</summary>
    public int Fd => (int)Handle.DangerousGetHandle();

    /// <summary>A non-blocking eventfd with counter 0.</summary>
    public static EventFd Create()
    {
        int fd = NativeEventFd(0, EfdCloexec | EfdNonblock);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"eventfd failed: {Libc.ErrorText(errno)}");
        }

        return new EventFd(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Adds 1 to the counter (wakes a poller; KVM raises the interrupt of an irqfd).</summary>
    public void Signal()
    {
        ulong one = 1;
        // SAFETY: one lives on this frame; write(2) reads its 8 bytes. EAGAIN (counter at its maximum) leaves it signalled.
        _ = NativeWrite(Fd, &one, 8);
    }

    /// <summary>Reads and clears the counter; false when it was 0.</summary>
    public bool TryConsume()
    {
        ulong value;
        // SAFETY: value lives on this frame; read(2) writes 8 bytes into it.
        return NativeRead(Fd, &value, 8) == 8 && value != 0;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: no limit) until one of <paramref name="events"/> is
    /// signalled; sets <paramref name="ready"/>[i] for each that is. Returns false on timeout or EINTR.
    /// </summary>
    public static bool WaitAny(ReadOnlySpan<EventFd> events, Span<bool> ready, int timeoutMilliseconds)
    {
        Span<PollFd> fds = events.Length <= 16 ? stackalloc PollFd[events.Length] : new PollFd[events.Length];
        for (int i = 0; i < events.Length; i++)
        {
            fds[i] = new PollFd { Fd = events[i].Fd, Events = PollIn };
        }

        int result;
        fixed (PollFd* first = fds)
        {
            // SAFETY: the pollfd array is pinned for the call and holds exactly events.Length entries.
            result = NativePoll(first, (nuint)fds.Length, timeoutMilliseconds);
        }

        for (int i = 0; i < events.Length; i++)
        {
            ready[i] = result > 0 && (fds[i].ReturnedEvents & PollIn) != 0;
        }

        return result > 0;
    }

    public void Dispose() => Handle.Dispose();

    private const short PollIn = 0x001;

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int NativePoll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int NativeEventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint NativeRead(int fd, void* buffer, nuint count);
}
