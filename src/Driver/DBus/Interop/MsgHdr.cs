using System.Runtime.InteropServices;

namespace Kvm.DBus.Interop;

/// <summary>struct msghdr on 64-bit Linux (56 bytes; the compiler pads after msg_namelen).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MsgHdr
{
    public nint Name;
    public uint NameLength;
    public nint Iov;
    public nuint IovLength;
    public nint Control;
    public nuint ControlLength;
    public int Flags;
}
