using System.Buffers.Binary;

namespace Kvm.Vmm.Devices.Virtio.Balloon;

/// <summary>
/// The guest's last memory statistics: one value per <see cref="BalloonStatTag"/> (<see cref="NotReported"/> for a
/// tag the guest never sent, as QEMU's -1) and when they came (Unix seconds; 0 for never).
/// </summary>
public sealed class BalloonStats
{
    /// <summary>The value of a statistic the guest has not reported (QEMU's (uint64_t)-1).</summary>
    public const ulong NotReported = ulong.MaxValue;

    /// <summary>Tags QEMU 7.2 keeps; the guest's others (Linux 6.x sends up to 16) are ignored, as QEMU ignores them.</summary>
    public const int TagCount = 10;

    /// <summary>Bytes of one statistic on the wire: le16 tag, le64 value, packed (virtio 1.2, 5.5.6.3).</summary>
    public const int EntrySize = 10;

    /// <summary>The most statistics one buffer is read for: a guest's larger buffer is read this far only.</summary>
    public const int MaxEntries = 64;

    private readonly ulong[] _values;

    public BalloonStats(ulong[] values, long lastUpdate)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Length, TagCount);
        _values = values;
        LastUpdate = lastUpdate;
    }

    /// <summary>Nothing reported yet.</summary>
    public static BalloonStats Empty { get; } = new(Enumerable.Repeat(NotReported, TagCount).ToArray(), 0);

    /// <summary>Unix time in seconds of the last update, 0 if the guest never sent statistics.</summary>
    public long LastUpdate { get; }

    public ulong this[BalloonStatTag tag] => (ushort)tag < TagCount ? _values[(ushort)tag] : NotReported;

    /// <summary>
    /// The statistics in <paramref name="buffer"/> (whole entries only; a trailing partial entry is ignored) applied on
    /// top of <paramref name="previous"/>: the guest may send a subset, and a later tag repeats over an earlier one.
    /// </summary>
    public static BalloonStats Parse(ReadOnlySpan<byte> buffer, BalloonStats previous, long now)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ulong[] values = (ulong[])previous._values.Clone();
        int entries = Math.Min(buffer.Length / EntrySize, MaxEntries);
        for (int i = 0; i < entries; i++)
        {
            var entry = buffer.Slice(i * EntrySize, EntrySize);
            ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(entry);
            if (tag < TagCount)
            {
                values[tag] = BinaryPrimitives.ReadUInt64LittleEndian(entry[2..]);
            }
        }

        return new BalloonStats(values, now);
    }
}
