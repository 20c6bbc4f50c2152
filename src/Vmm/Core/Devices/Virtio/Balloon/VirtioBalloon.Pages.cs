using System.Buffers.Binary;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Devices.Virtio.Balloon;

/// <summary>The inflate queue: page numbers the driver gives, released to the host.</summary>
public sealed partial class VirtioBalloon
{
    /// <summary>
    /// The most page numbers read from one buffer. Linux sends at most 256 (VIRTIO_BALLOON_ARRAY_PFNS_MAX); a longer
    /// buffer is read this far only, so that one chain never costs more than a bounded number of madvise calls.
    /// </summary>
    public const int MaxPagesPerBuffer = 4096;

    private const long WarnIntervalMs = 10_000;

    private static long s_nextWarn;

    /// <summary>Pages released so far (for tests and logs).</summary>
    public long PagesReleased => Interlocked.Read(ref _pagesReleased);

    /// <summary>Page numbers refused so far: outside RAM.</summary>
    public long PagesRefused => Interlocked.Read(ref _pagesRefused);

    private long _pagesReleased;
    private long _pagesRefused;

    /// <summary>
    /// Releases the pages a buffer names (le32 page numbers of 4 KiB, 5.5.6.1), runs of consecutive pages in one call.
    /// A page number outside guest RAM is skipped and counted, as QEMU skips what is not RAM. Writes nothing back.
    /// </summary>
    private uint Inflate(GuestMemory memory, DescriptorChain chain)
    {
        Span<byte> buffer = stackalloc byte[256 * sizeof(uint)];
        ulong skip = 0;
        int left = MaxPagesPerBuffer;
        ulong runStart = 0, runPages = 0;
        long refused = 0;
        while (left > 0)
        {
            int copied = chain.CopyFromReadable(memory, skip, buffer[..(Math.Min(left, 256) * sizeof(uint))]);
            int count = copied / sizeof(uint);
            if (count == 0)
            {
                break;
            }

            for (int i = 0; i < count; i++)
            {
                ulong page = BinaryPrimitives.ReadUInt32LittleEndian(buffer[(i * sizeof(uint))..]);
                if (runPages > 0 && page == runStart + runPages)
                {
                    runPages++;
                    continue;
                }

                refused += Release(memory, runStart, runPages);
                (runStart, runPages) = (page, 1);
            }

            skip += (ulong)(count * sizeof(uint));
            left -= count;
        }

        refused += Release(memory, runStart, runPages);
        if (refused > 0)
        {
            Interlocked.Add(ref _pagesRefused, refused);
            WarnRateLimited(refused);
        }

        return 0;
    }

    /// <summary>Releases a run of pages; returns how many were refused (the whole run when any part is not RAM, page by page then).</summary>
    private long Release(GuestMemory memory, ulong first, ulong pages)
    {
        if (pages == 0)
        {
            return 0;
        }

        // Page numbers are 32-bit: first << 12 and pages << 12 stay far below 2^64.
        if (memory.TryDiscard(first << PageShift, pages << PageShift))
        {
            Interlocked.Add(ref _pagesReleased, (long)pages);
            return 0;
        }

        long refused = 0;
        for (ulong page = first; page < first + pages; page++)
        {
            if (memory.TryDiscard(page << PageShift, 1UL << PageShift))
            {
                Interlocked.Increment(ref _pagesReleased);
            }
            else
            {
                refused++;
            }
        }

        return refused;
    }

    private void WarnRateLimited(long refused)
    {
        long now = Environment.TickCount64;
        long next = Volatile.Read(ref s_nextWarn);
        if (now >= next && Interlocked.CompareExchange(ref s_nextWarn, now + WarnIntervalMs, next) == next)
        {
            s_log.Warn("{Device}: the guest gave {Refused} page numbers outside its RAM; skipped", Name, refused);
        }
    }
}
