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

                nint host = Libc.Mmap(0, (nuint)size, Libc.ProtRead | Libc.ProtWrite,
                    Libc.MapPrivate | Libc.MapAnonymous | Libc.MapNoReserve, -1, 0);
                if (host == Libc.MapFailed)
                {
                    KvmThrow.LastError($"cannot map {size >> 20} MiB of guest RAM");
                }

                regions.Add(new GuestRegion(guestAddress, size, host));
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
