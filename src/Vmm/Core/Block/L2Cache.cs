namespace Kvm.Vmm.Block;

/// <summary>
/// The most recently used L2 tables of one qcow2 image, keyed by their host offset, entries in host byte order.
/// Bounded by a count of tables; not thread-safe (the image's metadata lock guards it).
/// </summary>
internal sealed class L2Cache(int capacity)
{
    private readonly ulong[] _offsets = new ulong[capacity];
    private readonly ulong[]?[] _tables = new ulong[capacity][];
    private readonly long[] _lastUse = new long[capacity];
    private long _clock;

    public ulong[]? Find(ulong offset)
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

    public void Add(ulong offset, ulong[] table)
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
