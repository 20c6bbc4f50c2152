namespace Kvm.Vmm.Block;

/// <summary>
/// The most recently used metadata tables of one qcow2 image, keyed by their host offset: L2 tables (entries in host
/// byte order) and refcount blocks (bytes as on disk). Write-through: whoever changes a table in it writes the change
/// to the file at once, so the file is always what the cache says. Bounded by a count of tables; not thread-safe (the
/// image's metadata lock guards it).
/// </summary>
internal sealed class TableCache<T>(int capacity)
{
    private readonly ulong[] _offsets = new ulong[capacity];
    private readonly T[]?[] _tables = new T[capacity][];
    private readonly long[] _lastUse = new long[capacity];
    private long _clock;

    public T[]? Find(ulong offset)
    {
        for (int i = 0; i < _tables.Length; i++)
        {
            if (_tables[i] is { } table && _offsets[i] == offset)
            {
                _lastUse[i] = ++_clock;
                return table;
            }
        }

        return null;
    }

    public void Add(ulong offset, T[] table)
    {
        int victim = 0;
        for (int i = 0; i < _tables.Length; i++)
        {
            if (_tables[i] is null || _offsets[i] == offset)
            {
                victim = i;
                break;
            }

            if (_lastUse[i] < _lastUse[victim])
            {
                victim = i;
            }
        }

        _offsets[victim] = offset;
        _tables[victim] = table;
        _lastUse[victim] = ++_clock;
    }
}
