using System.Diagnostics.CodeAnalysis;
using NLog;

namespace Kvm.Vmm.Devices;

/// <summary>
/// Port I/O dispatch: each device owns a range of ports. A port nobody owns reads as all ones and ignores writes,
/// as on a PC's ISA bus; the guest cannot make the VMM fail by probing. The ranges are kept sorted by base port and
/// searched by bisection, replaced as a whole when one is added, so the vCPU threads' lookups never lock.
/// </summary>
public sealed class IoBus
{
    private const int PortSpace = 0x10000;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _writers = new();
    private (ushort Base, ushort Length, IPortDevice Device)[] _ranges = [];

    /// <summary>The registered ranges, in port order.</summary>
    internal IEnumerable<(ushort Base, ushort Length)> Ranges => Volatile.Read(ref _ranges).Select(r => (r.Base, r.Length));

    /// <summary>Gives <paramref name="device"/> ports <paramref name="basePort"/> to basePort + length - 1.</summary>
    /// <exception cref="ArgumentException">The range is empty, runs past port 0xffff or overlaps a registered one.</exception>
    public void Register(ushort basePort, ushort length, IPortDevice device)
    {
        if (!TryRegister(basePort, length, device, out string? error))
        {
            throw new ArgumentException(error);
        }
    }

    /// <summary>As <see cref="Register"/>, but says what is wrong with the range instead of throwing.</summary>
    public bool TryRegister(ushort basePort, ushort length, IPortDevice device, [NotNullWhen(false)] out string? error)
    {
        if (length == 0 || basePort + length > PortSpace)
        {
            error = $"ports 0x{basePort:x} (+{length}) are not a range of the 64 KiB port space";
            return false;
        }

        lock (_writers)
        {
            foreach (var (b, l, _) in _ranges)
            {
                if (basePort < b + l && b < basePort + length)
                {
                    error = $"ports 0x{basePort:x}-0x{basePort + length - 1:x} overlap 0x{b:x}-0x{b + l - 1:x}";
                    return false;
                }
            }

            (ushort, ushort, IPortDevice)[] updated = [.. _ranges, (basePort, length, device)];
            Array.Sort(updated, static (x, y) => x.Item1.CompareTo(y.Item1));
            Volatile.Write(ref _ranges, updated);
        }

        error = null;
        return true;
    }

    /// <summary>Takes back the ports of <paramref name="device"/> that start at <paramref name="basePort"/>; false when it has none there.</summary>
    public bool Unregister(ushort basePort, IPortDevice device)
    {
        lock (_writers)
        {
            var ranges = _ranges;
            int index = Array.FindIndex(ranges, r => r.Base == basePort && ReferenceEquals(r.Device, device));
            if (index < 0)
            {
                return false;
            }

            Volatile.Write(ref _ranges, [.. ranges.AsSpan(0, index), .. ranges.AsSpan(index + 1)]);
            return true;
        }
    }

    public void Read(ushort port, Span<byte> data)
    {
        if (Find(port, out var device, out ushort offset))
        {
            device.Read(offset, data);
            return;
        }

        data.Fill(0xff);
        if (s_log.IsTraceEnabled)
        {
            s_log.Trace("Read of unowned port 0x{Port:x} ({Width} bytes)", port, data.Length);
        }
    }

    public void Write(ushort port, ReadOnlySpan<byte> data)
    {
        if (Find(port, out var device, out ushort offset))
        {
            device.Write(offset, data);
            return;
        }

        if (s_log.IsTraceEnabled)
        {
            s_log.Trace("Write to unowned port 0x{Port:x} ({Width} bytes)", port, data.Length);
        }
    }

    private bool Find(ushort port, out IPortDevice device, out ushort offset)
    {
        var ranges = Volatile.Read(ref _ranges);
        int low = 0, high = ranges.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            var (b, l, d) = ranges[middle];
            if (port < b)
            {
                high = middle - 1;
            }
            else if (port - b >= l)
            {
                low = middle + 1;
            }
            else
            {
                device = d;
                offset = (ushort)(port - b);
                return true;
            }
        }

        device = null!;
        offset = 0;
        return false;
    }
}
