using System.Runtime.InteropServices;

namespace Kvm.DBus.Interop;

/// <summary>struct iovec (16 bytes on 64-bit Linux).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoVec
{
    public nint Base;
    public nuint Length;
}
