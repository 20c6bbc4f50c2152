using System.Globalization;

namespace Kvm.Driver.Domains;

/// <summary>
/// The kernel's /proc/net/dev table: two header lines, then per device "name: rx bytes packets errs drop fifo frame
/// compressed multicast tx bytes packets errs drop fifo colls carrier compressed". Lines that do not read are skipped.
/// </summary>
public static class ProcNetDev
{
    // Column indexes after the "name:" prefix.
    private const int RxBytes = 0, RxPackets = 1, RxErrs = 2, RxDrop = 3, TxBytes = 8, TxPackets = 9, TxErrs = 10, TxDrop = 11;
    private const int Columns = 16;

    /// <summary>The host-side counters of <paramref name="device"/>, unswapped; false when the table has no such device.</summary>
    public static bool TryFind(string table, string device, out InterfaceCounters counters)
    {
        counters = default;
        foreach (string line in table.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !line.AsSpan(0, colon).Trim().SequenceEqual(device))
            {
                continue;
            }
            string[] f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < Columns)
            {
                return false;
            }
            var v = new ulong[Columns];
            for (int i = 0; i < Columns; i++)
            {
                if (!ulong.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out v[i]))
                {
                    return false;
                }
            }
            counters = new InterfaceCounters(v[RxBytes], v[RxPackets], v[RxErrs], v[RxDrop], v[TxBytes], v[TxPackets], v[TxErrs], v[TxDrop]);
            return true;
        }
        return false;
    }
}
