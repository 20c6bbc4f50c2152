using System.Runtime.InteropServices;

namespace Kvm.Driver.Interop;

/// <summary>struct stat as glibc lays it out on x86-64 (sys/stat.h, bits/struct_stat.h): 144 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct StatBuf
{
    public ulong Dev;
    public ulong Ino;
    public ulong Nlink;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    private readonly int _pad0;
    public ulong Rdev;
    public long Size;
    public long BlkSize;
    public long Blocks;       // 512-byte units allocated
    public long AtimeSec;
    public long AtimeNsec;
    public long MtimeSec;
    public long MtimeNsec;
    public long CtimeSec;
    public long CtimeNsec;
    private readonly long _reserved0;
    private readonly long _reserved1;
    private readonly long _reserved2;
}
