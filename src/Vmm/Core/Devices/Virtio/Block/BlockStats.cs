namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>A disk's I/O counters, as QMP query-blockstats reports them; updated by the queue threads without locks.</summary>
public sealed class BlockStats
{
    private long _readBytes, _writeBytes, _readOps, _writeOps, _flushOps, _discardOps, _discardBytes;
    private long _readNanos, _writeNanos, _flushNanos, _failedReads, _failedWrites, _failedFlushes;

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
    public long FailedReads => Volatile.Read(ref _failedReads);
    public long FailedWrites => Volatile.Read(ref _failedWrites);
    public long FailedFlushes => Volatile.Read(ref _failedFlushes);

    internal void Read(long bytes, long nanos, bool ok)
    {
        Interlocked.Increment(ref ok ? ref _readOps : ref _failedReads);
        Interlocked.Add(ref _readBytes, ok ? bytes : 0);
        Interlocked.Add(ref _readNanos, nanos);
    }

    internal void Write(long bytes, long nanos, bool ok)
    {
        Interlocked.Increment(ref ok ? ref _writeOps : ref _failedWrites);
        Interlocked.Add(ref _writeBytes, ok ? bytes : 0);
        Interlocked.Add(ref _writeNanos, nanos);
    }

    internal void Flush(long nanos, bool ok)
    {
        Interlocked.Increment(ref ok ? ref _flushOps : ref _failedFlushes);
        Interlocked.Add(ref _flushNanos, nanos);
    }

    internal void Discard(long bytes)
    {
        Interlocked.Increment(ref _discardOps);
        Interlocked.Add(ref _discardBytes, bytes);
    }
}
