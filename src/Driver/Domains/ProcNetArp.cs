using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kvm.Driver.Domains;

/// <summary>
/// The kernel's IPv4 neighbour table, /proc/net/arp: a header line, then "IP HWtype Flags HWaddress Mask Device".
/// Only complete entries (ATF_COM) count: an incomplete one has no hardware address yet.
/// </summary>
public static class ProcNetArp
{
    private const int AtfCom = 0x2; // linux/if_arp.h: completed entry

    /// <summary>The complete entries as (IPv4 address, lower-case MAC), in table order.</summary>
    public static IReadOnlyList<(string Address, string Mac)> Parse(string table)
    {
        var entries = new List<(string, string)>();
        foreach (string line in table.Split('\n').Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !IPAddress.TryParse(f[0], out IPAddress? ip) || ip.AddressFamily != AddressFamily.InterNetwork
                || !f[2].StartsWith("0x", StringComparison.Ordinal)
                || !int.TryParse(f[2].AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int flags)
                || (flags & AtfCom) == 0 || f[3].Length != 17)
            {
                continue;
            }
            entries.Add((ip.ToString(), f[3].ToLowerInvariant()));
        }
        return entries;
    }
}
