using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>struct flock on x86-64 (32 bytes): l_type, l_whence, l_start, l_len, l_pid.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FileLockRequest
{
    public short Type;
    public short Whence;
    public long Start;
    public long Length;
    public int Pid;
}
