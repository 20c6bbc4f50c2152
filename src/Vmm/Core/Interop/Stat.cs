using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>stat(2), for the owner of a device node (struct stat on x86-64: 144 bytes, st_gid at offset 28).</summary>
internal static unsafe partial class Stat
{
    private const int StructSize = 144;
    private const int GidOffset = 28;

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeStat(string path, byte* buffer);

    public static uint? GroupOf(string path)
    {
        byte* buffer = stackalloc byte[StructSize];
        return NativeStat(path, buffer) == 0 ? *(uint*)(buffer + GidOffset) : null;
    }
}
