using System.Runtime.InteropServices;

namespace Kvm.DBus.Interop;

/// <summary>The few libc calls .NET sockets do not offer: descriptor passing and the effective uid.</summary>
internal static partial class LibC
{
    public const int SolSocket = 1;        // SOL_SOCKET
    public const int ScmRights = 1;        // SCM_RIGHTS
    public const int MsgNoSignal = 0x4000; // MSG_NOSIGNAL
    public const int MsgCtrunc = 0x8;      // MSG_CTRUNC
    public const int MsgCmsgCloexec = 0x40000000; // MSG_CMSG_CLOEXEC
    public const int EIntr = 4;
    public const int EAgain = 11;

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recvmsg(SafeHandle socket, ref MsgHdr message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendmsg(SafeHandle socket, in MsgHdr message, int flags);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup(int fd);
}
