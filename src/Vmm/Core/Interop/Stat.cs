using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>
/// stat(2) and lstat(2): the owner of a device node, the type of a file (struct stat on x86-64: 144 bytes; st_dev,
/// st_ino and st_nlink are 8 bytes each, then st_mode at offset 24, st_uid at 28, st_gid at 32).
/// </summary>
internal static unsafe partial class Stat
{
    private const int StructSize = 144;
    private const int ModeOffset = 24;
    private const int GidOffset = 32;
    private const int BlocksOffset = 64; // st_blocks: 512-byte units allocated
    private const uint TypeMask = 0xf000; // S_IFMT
    private const uint TypeSocket = 0xc000; // S_IFSOCK

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeStat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeLstat(string path, byte* buffer);

    /// <summary>True when <paramref name="path"/> itself (not what a symbolic link names) is a Unix socket.</summary>
    public static bool IsSocket(string path)
    {
        // SAFETY: buffer is StructSize bytes of this frame's stack, the size of struct stat; lstat writes only within it.
        byte* buffer = stackalloc byte[StructSize];
        return NativeLstat(path, buffer) == 0 && (*(uint*)(buffer + ModeOffset) & TypeMask) == TypeSocket;
    }

    /// <summary>The bytes the file takes on its file system (st_blocks × 512), or null when stat fails.</summary>
    public static long? AllocatedBytes(string path)
    {
        // SAFETY: buffer is StructSize bytes of this frame's stack, the size of struct stat; stat writes only within it.
        byte* buffer = stackalloc byte[StructSize];
        return NativeStat(path, buffer) == 0 ? *(long*)(buffer + BlocksOffset) * 512 : null;
    }

    public static uint? GroupOf(string path)
    {
        // SAFETY: buffer is StructSize bytes of this frame's stack, the size of struct stat; stat writes only within it.
        byte* buffer = stackalloc byte[StructSize];
        return NativeStat(path, buffer) == 0 ? *(uint*)(buffer + GidOffset) : null;
    }
}
