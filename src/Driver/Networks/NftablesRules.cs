using System.Globalization;
using System.Text;

namespace Kvm.Driver.Networks;

/// <summary>
/// A network's firewall as one nftables table of its own (<c>table inet kvmd_UUID</c>), so stopping the network
/// deletes exactly its rules: the same rules libvirt's network driver installs (bridge_driver_linux.c), written for
/// nftables. DHCP and DNS from the bridge are accepted; NAT masquerades the IPv4 subnets (ports as &lt;nat&gt;&lt;port&gt;
/// says, 1024-65535 by default) and lets replies back in; a routed network forwards its subnets both ways; an
/// isolated network forwards nothing but guest to guest. An open network has no table at all.
/// </summary>
public static class NftablesRules
{
    public static string TableName(NetworkDef def) => "kvmd_" + def.Uuid.ToString("N");

    public static bool HasTable(NetworkDef def) => def.Forward != NetworkForwardMode.Open;

    public static string Contents(NetworkDef def)
    {
        string br = Quote(def.BridgeName!);
        string? dev = def.ForwardDev is null ? null : Quote(def.ForwardDev);
        var r = new StringBuilder();
        r.Append("table inet ").Append(TableName(def)).Append(" {\n");
        r.Append("  chain input {\n    type filter hook input priority filter; policy accept;\n");
        r.Append("    iifname ").Append(br).Append(" udp dport { 53, 67, 547 } accept\n");
        r.Append("    iifname ").Append(br).Append(" tcp dport 53 accept\n  }\n");
        r.Append("  chain output {\n    type filter hook output priority filter; policy accept;\n");
        r.Append("    oifname ").Append(br).Append(" udp dport { 68, 546 } accept\n  }\n");
        r.Append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        foreach (NetworkIpDef ip in def.Ips)
        {
            string family = ip.IsIPv4 ? "ip" : "ip6";
            string subnet = NetworkAddresses.Subnet(ip.Address, ip.PrefixLength);
            string outDev = dev is null ? "" : " oifname " + dev;
            string inDev = dev is null ? "" : " iifname " + dev;
            if (def.Forward == NetworkForwardMode.Nat && ip.IsIPv4)
            {
                r.Append($"    iifname {br}{outDev} {family} saddr {subnet} accept\n");
                r.Append($"    oifname {br}{inDev} {family} daddr {subnet} ct state related,established accept\n");
            }
            else if (def.Forward is NetworkForwardMode.Nat or NetworkForwardMode.Route)
            {
                r.Append($"    iifname {br}{outDev} {family} saddr {subnet} accept\n");
                r.Append($"    oifname {br}{inDev} {family} daddr {subnet} accept\n");
            }
        }
        r.Append($"    iifname {br} oifname {br} accept\n");
        r.Append($"    iifname {br} reject\n");
        r.Append($"    oifname {br} reject\n  }}\n");
        if (def.Forward == NetworkForwardMode.Nat)
        {
            string ports = string.Create(CultureInfo.InvariantCulture, $"{def.NatPortStart ?? 1024}-{def.NatPortEnd ?? 65535}");
            string outDev = dev is null ? "" : " oifname " + dev;
            r.Append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
            foreach (NetworkIpDef ip in def.IPv4)
            {
                string subnet = NetworkAddresses.Subnet(ip.Address, ip.PrefixLength);
                r.Append($"    ip saddr {subnet} ip daddr 224.0.0.0/24 return\n");
                r.Append($"    ip saddr {subnet} ip daddr 255.255.255.255 return\n");
                r.Append($"   {outDev} ip saddr {subnet} ip daddr != {subnet} meta l4proto {{ tcp, udp }} masquerade to :{ports}\n");
                r.Append($"   {outDev} ip saddr {subnet} ip daddr != {subnet} masquerade\n");
            }
            r.Append("  }\n");
        }
        r.Append("}\n");
        return r.ToString();
    }

    /// <summary>An interface name as an nftables string; names that could break out of the quotes are refused.</summary>
    private static string Quote(string name)
    {
        if (name.Length is 0 or > 15 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@')))
        {
            throw Domains.DomainErrors.ConfigUnsupported($"interface name '{name}' cannot be used in firewall rules");
        }
        return "\"" + name + "\"";
    }
}
