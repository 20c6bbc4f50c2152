using System.Globalization;
using System.Net;

namespace Kvm.Driver.Networks;

/// <summary>
/// dnsmasq's lease file: "EXPIRY MAC IP HOSTNAME CLIENTID" per IPv4 lease; after a "duid" line, "EXPIRY IAID IP6
/// HOSTNAME DUID" per IPv6 lease; "*" for an absent field. Lines that do not read are skipped.
/// </summary>
public static class DnsmasqLeases
{
    public static IReadOnlyList<DhcpLease> Parse(NetworkDef def, string text)
    {
        var leases = new List<DhcpLease>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long expiry)
                || !IPAddress.TryParse(f[2], out IPAddress? address))
            {
                continue;
            }
            bool ipv6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            NetworkIpDef? ip = def.Ips.FirstOrDefault(i => NetworkAddresses.SameSubnet(i.Address, address, i.PrefixLength));
            leases.Add(new DhcpLease(def.BridgeName ?? "", expiry, ipv6 ? 1 : 0,
                ipv6 ? "" : f[1], ipv6 ? f[1] : "", address.ToString(), (uint)(ip?.PrefixLength ?? 0),
                Field(f[3]), f.Length > 4 ? Field(f[4]) : ""));
        }
        return leases;
    }

    private static string Field(string value) => value == "*" ? "" : value;
}
