using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Memory;

/// <summary>
/// Guest RAM: regions of anonymous host memory (MAP_NORESERVE, so untouched pages cost nothing) at guest physical
/// addresses. The only way devices and loaders touch guest memory: every access is checked against the regions, and
/// an address or length the guest made up that falls outside them is refused, never followed.
/// </summary>
public sealed unsafe partial class GuestMemory : IDisposable
{
    /// <summary>The huge page size of x86-64 (2 MiB), to which guest RAM is aligned.</summary>
    public const ulong HugePageSize = 2UL << 20;

    private readonly GuestRegion[] _regions;
    private bool _disposed;

    private GuestMemory(GuestRegion[] regions) => _regions = regions;

    public IReadOnlyList<GuestRegion> Regions => _regions;

    /// <summary>Maps RAM for each (guest address, size) layout entry; sizes are whole pages.</summary>
    public static GuestMemory Allocate(IReadOnlyList<(ulong GuestAddress, ulong Size)> layout)
    {
        var regions = new List<GuestRegion>(layout.Count);
        try
        {
            ulong page = (ulong)Environment.SystemPageSize;
            foreach (var (guestAddress, size) in layout)
            {
                if (size == 0 || size % page != 0 || guestAddress % page != 0)
                {
                    throw new ArgumentException($"guest RAM region at 0x{guestAddress:x} of 0x{size:x} bytes is not page-aligned");
                }

                regions.Add(new GuestRegion(guestAddress, size, MapRegion(guestAddress, size)));
            }

            return new GuestMemory([.. regions]);
        }
        catch
        {
            foreach (var region in regions)
            {
                Libc.Munmap(region.HostAddress, (nuint)region.Size);
            }

            throw;
        }
    }

    /// <summary>
    /// Anonymous memory for one region. A region of whole huge pages starting at a huge-page boundary of the guest is
    /// placed at a huge-page boundary of the host too and advised MADV_HUGEPAGE, as QEMU does with guest RAM: the kernel
    /// can then back it with transparent huge pages, and the guest's first touches fault (and, nested, exit) once per
    /// 2 MiB instead of once per 4 KiB.
    /// </summary>
    private static nint MapRegion(ulong guestAddress, ulong size)
    {
        const int protection = Libc.ProtRead | Libc.ProtWrite;
        const int flags = Libc.MapPrivate | Libc.MapAnonymous | Libc.MapNoReserve;
        bool huge = size >= HugePageSize && guestAddress % HugePageSize == 0;
        ulong mapped = huge ? size + HugePageSize : size;
        nint host = Libc.Mmap(0, (nuint)mapped, protection, flags, -1, 0);
        if (host == Libc.MapFailed)
        {
            KvmThrow.LastError($"cannot map {size >> 20} MiB of guest RAM");
        }

        if (!huge)
        {
            return host;
        }

        // Keep the aligned middle; give back the head and the tail.
        ulong start = ((ulong)host + HugePageSize - 1) & ~(HugePageSize - 1);
        ulong head = start - (ulong)host;
        if (head > 0)
        {
            Libc.Munmap(host, (nuint)head);
        }

        ulong tail = mapped - head - size;
        if (tail > 0)
        {
            Libc.Munmap((nint)(start + size), (nuint)tail);
        }

        // Advice only: a kernel without transparent huge pages refuses it, and the region works as before.
        _ = Libc.Madvise((nint)start, (nuint)size, Libc.MadvHugePage);
        return (nint)start;
    }

    /// <summary>The bytes at [address, address + length) when they lie within one region.</summary>
    public bool TryGetSpan(ulong address, int length, out Span<byte> span)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var region in _regions)
        {
            if (length >= 0 && address >= region.GuestAddress && address - region.GuestAddress <= region.Size
                && (ulong)length <= region.Size - (address - region.GuestAddress))
            {
                span = new Span<byte>((byte*)region.HostAddress + (nint)(address - region.GuestAddress), length);
                return true;
            }
        }

        span = default;
        return false;
    }

    /// <summary>The bytes at [address, address + length); throws when they are not all guest RAM.</summary>
    public Span<byte> GetSpan(ulong address, int length) =>
        TryGetSpan(address, length, out var span) ? span
            : throw new ArgumentOutOfRangeException(nameof(address), $"guest range 0x{address:x}+0x{length:x} is not RAM");

    public void Write(ulong address, ReadOnlySpan<byte> data) => data.CopyTo(GetSpan(address, data.Length));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var region in _regions)
        {
            Libc.Munmap(region.HostAddress, (nuint)region.Size);
        }
    }
}
