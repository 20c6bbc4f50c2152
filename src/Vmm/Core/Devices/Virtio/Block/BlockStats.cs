using System.Diagnostics;

namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>
/// A disk's I/O counters, as QMP query-blockstats reports them (QEMU's BlockAcctStats); updated by the queue threads
/// without locks or allocations. Invalid requests (outside the disk, not whole sectors) count apart from failed ones.
/// </summary>
public sealed class BlockStats
{
    private long _readBytes, _writeBytes, _readOps, _writeOps, _flushOps, _discardOps, _discardBytes;
    private long _readNanos, _writeNanos, _flushNanos, _discardNanos, _failedReads, _failedWrites, _failedFlushes, _failedDiscards;
    private long _invalidReads, _invalidWrites, _writeHighestOffset, _lastAccess;

    public long ReadBytes => Volatile.Read(ref _readBytes);
    public long WriteBytes => Volatile.Read(ref _writeBytes);
    public long ReadOperations => Volatile.Read(ref _readOps);
    public long WriteOperations => Volatile.Read(ref _writeOps);
    public long FlushOperations => Volatile.Read(ref _flushOps);
    public long DiscardOperations => Volatile.Read(ref _discardOps);
    public long DiscardBytes => Volatile.Read(ref _discardBytes);
    public long ReadTotalNanoseconds => Volatile.Read(ref _readNanos);
    public long WriteTotalNanoseconds => Volatile.Read(ref _writeNanos);
    public long FlushTotalNanoseconds => Volatile.Read(ref _flushNanos);
    public long DiscardTotalNanoseconds => Volatile.Read(ref _discardNanos);
    public long FailedReads => Volatile.Read(ref _failedReads);
    public long FailedWrites => Volatile.Read(ref _failedWrites);
    public long FailedFlushes => Volatile.Read(ref _failedFlushes);
    public long FailedDiscards => Volatile.Read(ref _failedDiscards);
    public long InvalidReads => Volatile.Read(ref _invalidReads);
    public long InvalidWrites => Volatile.Read(ref _invalidWrites);

    /// <summary>The end of the furthest range written, zeroed or discarded (QEMU's wr_highest_offset).</summary>
    public long WriteHighestOffset => Volatile.Read(ref _writeHighestOffset);

    /// <summary>Time since the last request was accounted, or null before the first (QEMU's idle_time_ns).</summary>
    public TimeSpan? Idle
    {
        get
        {
            long last = Volatile.Read(ref _lastAccess);
            return last == 0 ? null : Stopwatch.GetElapsedTime(last);
        }
    }

    internal void Read(long bytes, long nanos, bool ok)
    {
        Interlocked.Increment(ref ok ? ref _readOps : ref _failedReads);
        Interlocked.Add(ref _readBytes, ok ? bytes : 0);
        Interlocked.Add(ref _readNanos, nanos);
        Touch();
    }

    internal void Write(long offset, long bytes, long nanos, bool ok)
    {
        Interlocked.Increment(ref ok ? ref _writeOps : ref _failedWrites);
        Interlocked.Add(ref _writeBytes, ok ? bytes : 0);
        Interlocked.Add(ref _writeNanos, nanos);
        if (ok)
        {
            Highest(offset + bytes);
        }

        Touch();
    }

    internal void Flush(long nanos, bool ok)
    {
        Interlocked.Increment(ref ok ? ref _flushOps : ref _failedFlushes);
        Interlocked.Add(ref _flushNanos, nanos);
        Touch();
    }

    internal void Discard(long offset, long bytes, long nanos, bool ok)
    {
        Interlocked.Increment(ref ok ? ref _discardOps : ref _failedDiscards);
        Interlocked.Add(ref _discardBytes, ok ? bytes : 0);
        Interlocked.Add(ref _discardNanos, nanos);
        if (ok)
        {
            Highest(offset + bytes);
        }

        Touch();
    }

    /// <summary>A transfer the device refused before it reached the image (past the end, not whole sectors).</summary>
    internal void Invalid(bool write)
    {
        Interlocked.Increment(ref write ? ref _invalidWrites : ref _invalidReads);
        Touch();
    }

    private void Highest(long end)
    {
        long seen = Volatile.Read(ref _writeHighestOffset);
        while (end > seen)
        {
            long was = Interlocked.CompareExchange(ref _writeHighestOffset, end, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    private void Touch() => Volatile.Write(ref _lastAccess, Stopwatch.GetTimestamp());
}
