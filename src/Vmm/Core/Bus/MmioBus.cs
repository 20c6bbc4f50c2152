using System.Diagnostics.CodeAnalysis;
using NLog;

namespace Kvm.Vmm.Bus;

/// <summary>
/// Memory-mapped I/O dispatch: each device owns a range. The ranges live in an immutable array sorted by base address,
/// searched by bisection on every exit and replaced as a whole (atomically) when a device is added, moved or removed,
/// so vCPU threads never lock. An address nobody owns reads as all ones and ignores writes.
/// </summary>
public sealed class MmioBus
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _writers = new();
    private Entry[] _entries = [];

    private readonly record struct Entry(BusRange Range, IBusDevice Device);

    /// <summary>The registered ranges, in address order.</summary>
    public IEnumerable<BusRange> Ranges => Volatile.Read(ref _entries).Select(e => e.Range);

    /// <summary>Gives <paramref name="device"/> [address, address + length); false with the reason when that is not free.</summary>
    public bool TryRegister(ulong address, ulong length, IBusDevice device, [NotNullWhen(false)] out string? error)
    {
        if (BusRange.Create(address, length, out error) is not { } range)
        {
            error ??= "empty range";
            return false;
        }

        lock (_writers)
        {
            var entries = _entries;
            foreach (var entry in entries)
            {
                if (entry.Range.Overlaps(range))
                {
                    error = $"{range} overlaps {entry.Range}";
                    return false;
                }
            }

            var updated = new Entry[entries.Length + 1];
            int at = 0;
            while (at < entries.Length && entries[at].Range.Base < range.Base)
            {
                updated[at] = entries[at];
                at++;
            }

            updated[at] = new Entry(range, device);
            Array.Copy(entries, at, updated, at + 1, entries.Length - at);
            Volatile.Write(ref _entries, updated);
            return true;
        }
    }

    public void Register(ulong address, ulong length, IBusDevice device)
    {
        if (!TryRegister(address, length, device, out string? error))
        {
            throw new ArgumentException(error);
        }
    }

    /// <summary>Removes the range of <paramref name="device"/> that starts at <paramref name="address"/>; false when there is none.</summary>
    public bool Unregister(ulong address, IBusDevice device)
    {
        lock (_writers)
        {
            var entries = _entries;
            int index = Array.FindIndex(entries, e => e.Range.Base == address && ReferenceEquals(e.Device, device));
            if (index < 0)
            {
                return false;
            }

            var updated = new Entry[entries.Length - 1];
            Array.Copy(entries, 0, updated, 0, index);
            Array.Copy(entries, index + 1, updated, index, entries.Length - index - 1);
            Volatile.Write(ref _entries, updated);
            return true;
        }
    }

    /// <summary>Dispatches a read; false (and all ones) when nobody owns the address.</summary>
    public bool Read(ulong address, Span<byte> data)
    {
        if (TryFind(address, out var entry))
        {
            entry.Device.Read(address - entry.Range.Base, data);
            return true;
        }

        data.Fill(0xff);
        if (s_log.IsTraceEnabled)
        {
            s_log.Trace("Read of unowned MMIO 0x{Address:x} ({Width} bytes)", address, data.Length);
        }

        return false;
    }

    /// <summary>Dispatches a write; false (and dropped) when nobody owns the address.</summary>
    public bool Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (TryFind(address, out var entry))
        {
            entry.Device.Write(address - entry.Range.Base, data);
            return true;
        }

        if (s_log.IsTraceEnabled)
        {
            s_log.Trace("Write to unowned MMIO 0x{Address:x} ({Width} bytes)", address, data.Length);
        }

        return false;
    }

    private bool TryFind(ulong address, out Entry found)
    {
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = entries.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            var range = entries[middle].Range;
            if (address < range.Base)
            {
                high = middle - 1;
            }
            else if (address > range.Last)
            {
                low = middle + 1;
            }
            else
            {
                found = entries[middle];
                return true;
            }
        }

        found = default;
        return false;
    }
}
