using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Interop;

/// <summary>
/// A tap from /dev/net/tun (linux/if_tun.h) and the interface ioctls on an AF_INET socket (linux/sockios.h): up,
/// MTU, hardware address, index, and adding to a bridge. Each returns 0 or a negative errno; nothing throws.
/// </summary>
internal static unsafe partial class NetIo
{
    public const short IffUp = 0x1; // IFF_UP
    public const short IffTap = 0x0002; // IFF_TAP
    public const short IffMultiQueue = 0x0100; // IFF_MULTI_QUEUE: each descriptor attached to the tap is one of its queues
    public const short IffAttachQueue = 0x0200; // IFF_ATTACH_QUEUE (TUNSETQUEUE)
    public const short IffDetachQueue = 0x0400; // IFF_DETACH_QUEUE (TUNSETQUEUE)
    public const short IffNoPi = 0x1000; // IFF_NO_PI
    public const short IffVnetHdr = 0x4000; // IFF_VNET_HDR
    public const short PollIn = 0x001; // POLLIN

    private const nuint TunSetIff = 0x400454ca; // _IOW('T', 202, int)
    private const nuint TunSetOffload = 0x400454d0; // _IOW('T', 208, unsigned int)
    private const nuint TunSetVnetHdrSz = 0x400454d8; // _IOW('T', 216, int)
    private const nuint TunSetQueue = 0x400454d9; // _IOW('T', 217, int)
    private const nuint SiocGIfFlags = 0x8913;
    private const nuint SiocSIfFlags = 0x8914;
    private const nuint SiocSIfMtu = 0x8922;
    private const nuint SiocSIfHwAddr = 0x8924;
    private const nuint SiocGIfIndex = 0x8933;
    private const nuint SiocBrAddIf = 0x89a2;

    private const int ONonBlock = 0x800;
    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const int SockCloExec = 0x80000;

    public const int EBadF = 9;
    public const int EInval = 22;
    public const int ENameTooLong = 36;

    /// <summary>
    /// Opens /dev/net/tun non-blocking and attaches it to the tap <paramref name="name"/> (created unless it exists;
    /// a pattern such as "vnet%d" takes the first free name) with <paramref name="flags"/>; the name the kernel chose.
    /// </summary>
    public static int OpenTap(string name, short flags, out SafeFileHandle? handle, out string actualName)
    {
        handle = null;
        actualName = name;
        if (!InterfaceRequest.TryCreate(name, out var request))
        {
            return -ENameTooLong;
        }

        int fd = Libc.Open("/dev/net/tun", Libc.ORdWr | Libc.OCloExec | ONonBlock);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        request.Flags = flags;
        // SAFETY: request lives on this frame; TUNSETIFF reads and writes its 40 bytes.
        if (Libc.Ioctl(fd, TunSetIff, &request) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            return -errno;
        }

        handle = new SafeFileHandle(fd, ownsHandle: true);
        actualName = request.NameText();
        return 0;
    }

    /// <summary>TUNSETVNETHDRSZ: the size of the virtio_net_hdr before each frame (10, or 12 with VERSION_1).</summary>
    public static int SetVnetHeaderSize(SafeHandle tap, int size)
    {
        // SAFETY: size lives on this frame; TUNSETVNETHDRSZ reads the int it points to.
        return OnFd(tap, TunSetVnetHdrSz, (nint)(&size), null, 0);
    }

    /// <summary>
    /// TUNSETQUEUE: attaches this queue of a multi-queue tap again, or detaches it (the kernel then steers no frame to
    /// it; a detached queue answers most tap ioctls with EBADFD).
    /// </summary>
    public static int SetQueue(SafeHandle tap, bool attach)
    {
        var request = default(InterfaceRequest);
        request.Flags = attach ? IffAttachQueue : IffDetachQueue;
        // SAFETY: request lives on this frame; TUNSETQUEUE reads the flags of its 40 bytes.
        return OnFd(tap, TunSetQueue, (nint)(&request), null, 0);
    }

    /// <summary>TUNSETOFFLOAD: which offloads (TUN_F_CSUM, TUN_F_TSO4, ...) frames read from the tap may carry.</summary>
    public static int SetOffload(SafeHandle tap, uint offloads) => OnFd(tap, TunSetOffload, (nint)offloads, null, 0);

    /// <summary>read(2) of one frame; the byte count, 0 when none is queued (EAGAIN), or a negative errno.</summary>
    public static int Read(SafeHandle tap, Span<byte> frame)
    {
        // SAFETY: the span is pinned for the call; read(2) writes at most its length into it.
        fixed (byte* bytes = frame)
        {
            return OnFd(tap, 0, 0, bytes, -frame.Length);
        }
    }

    /// <summary>write(2) of one frame; the byte count, or a negative errno (-EAGAIN: the tap's queue is full).</summary>
    public static int Write(SafeHandle tap, ReadOnlySpan<byte> frame)
    {
        // SAFETY: the span is pinned for the call; write(2) reads at most its length from it.
        fixed (byte* bytes = frame)
        {
            return OnFd(tap, 0, 0, bytes, frame.Length);
        }
    }

    /// <summary>The interface's index (SIOCGIFINDEX), or a negative errno (-ENODEV: no such interface).</summary>
    public static int IndexOf(string name) => WithRequest(name, (socket, request) =>
        Libc.Ioctl(socket, SiocGIfIndex, request) != 0 ? -Marshal.GetLastPInvokeError() : request->Value);

    /// <summary>Sets IFF_UP on the interface (SIOCGIFFLAGS, then SIOCSIFFLAGS).</summary>
    public static int BringUp(string name) => WithRequest(name, (socket, request) =>
    {
        if (Libc.Ioctl(socket, SiocGIfFlags, request) != 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        request->Flags |= IffUp;
        return Libc.Ioctl(socket, SiocSIfFlags, request) != 0 ? -Marshal.GetLastPInvokeError() : 0;
    });

    public static int SetMtu(string name, int mtu) => WithRequest(name, (socket, request) =>
    {
        request->Value = mtu;
        return Libc.Ioctl(socket, SiocSIfMtu, request) != 0 ? -Marshal.GetLastPInvokeError() : 0;
    });

    public static int SetHardwareAddress(string name, byte[] mac) => WithRequest(name, (socket, request) =>
    {
        request->SetHardwareAddress(mac);
        return Libc.Ioctl(socket, SiocSIfHwAddr, request) != 0 ? -Marshal.GetLastPInvokeError() : 0;
    });

    /// <summary>Adds <paramref name="member"/> to the bridge <paramref name="bridge"/> (SIOCBRADDIF).</summary>
    public static int AddToBridge(string bridge, string member)
    {
        int index = IndexOf(member);
        return index < 0 ? index : WithRequest(bridge, (socket, request) =>
        {
            request->Value = index;
            return Libc.Ioctl(socket, SiocBrAddIf, request) != 0 ? -Marshal.GetLastPInvokeError() : 0;
        });
    }

    /// <summary>poll(2) on <paramref name="fds"/>: how many are ready, 0 on timeout or EINTR, or a negative errno.</summary>
    public static int Poll(Span<PollFd> fds, int timeoutMilliseconds)
    {
        // SAFETY: the pollfd array is pinned for the call and poll reads and writes only its fds.Length entries.
        fixed (PollFd* first = fds)
        {
            int result = NativePoll(first, (nuint)fds.Length, timeoutMilliseconds);
            if (result >= 0)
            {
                return result;
            }

            int errno = Marshal.GetLastPInvokeError();
            return errno == Libc.EIntr ? 0 : -errno;
        }
    }

    private delegate int RequestCall(int socket, InterfaceRequest* request);

    /// <summary>Runs an interface ioctl on a fresh AF_INET datagram socket with a request naming <paramref name="name"/>.</summary>
    private static int WithRequest(string name, RequestCall call)
    {
        if (!InterfaceRequest.TryCreate(name, out var request))
        {
            return -ENameTooLong;
        }

        int socket = NativeSocket(AfInet, SockDgram | SockCloExec, 0);
        if (socket < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        try
        {
            // SAFETY: request lives on this frame for the call; the ioctls read and write its 40 bytes.
            return call(socket, &request);
        }
        finally
        {
            Libc.Close(socket);
        }
    }

    /// <summary>
    /// One call on the descriptor, held against closing meanwhile: an ioctl when <paramref name="buffer"/> is null,
    /// else read(2) (negative <paramref name="length"/>, EAGAIN answering 0) or write(2) of |length| bytes.
    /// </summary>
    private static int OnFd(SafeHandle handle, nuint request, nint argument, byte* buffer, int length)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            if (buffer is null)
            {
                return Libc.Ioctl(fd, request, argument) != 0 ? -Marshal.GetLastPInvokeError() : 0;
            }

            nint result = length < 0 ? NativeRead(fd, buffer, (nuint)(-length)) : NativeWrite(fd, buffer, (nuint)length);
            if (result >= 0)
            {
                return (int)result;
            }

            int errno = Marshal.GetLastPInvokeError();
            return length < 0 && errno == Libc.EAgain ? 0 : -errno;
        }
        catch (ObjectDisposedException)
        {
            return -EBadF;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int NativePoll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int NativeSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint NativeRead(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(int fd, byte* buffer, nuint count);
}
