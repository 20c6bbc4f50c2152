using System.Globalization;
using System.Numerics;
using System.Text;
using System.Xml.Linq;

namespace Kvm.Driver.Networks;

/// <summary>
/// The dnsmasq configuration of a network, as libvirt's networkDnsmasqConfContents writes it: DNS on the bridge only,
/// the DHCP ranges and their lease limit, static hosts in a hosts file (re-read on SIGHUP), DNS hosts and forwarders
/// from &lt;dns&gt;; kvmd's addition is a plain lease file (<c>dhcp-leasefile</c>) instead of libvirt's lease helper.
/// </summary>
public static class DnsmasqConfig
{
    public static string Contents(NetworkDef def, NetworkFiles files)
    {
        var conf = new StringBuilder();
        conf.Append("##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n")
            .Append("##OVERWRITTEN AND LOST. Changes to this configuration should be made using kvmd's API.\n");
        conf.Append("strict-order\n");
        conf.Append("pid-file=").Append(files.PidFile).Append('\n');
        XElement? dns = def.Dns;
        if ((string?)dns?.Attribute("enable") == "no")
        {
            conf.Append("port=0\n");
        }
        if ((string?)dns?.Attribute("forwardPlainNames") == "no")
        {
            conf.Append("domain-needed\n");
        }
        foreach (XElement forwarder in dns?.Elements("forwarder") ?? [])
        {
            string? domain = (string?)forwarder.Attribute("domain");
            string addr = (string?)forwarder.Attribute("addr") ?? "#";
            conf.Append("server=").Append(domain is null ? "" : "/" + domain + "/").Append(addr).Append('\n');
        }
        if (def.DomainName is { } name)
        {
            conf.Append("domain=").Append(name).Append('\n');
            if (def.DomainLocalOnly == true)
            {
                conf.Append("local=/").Append(name).Append("/\n");
            }
            conf.Append("expand-hosts\n");
        }
        conf.Append("except-interface=lo\n");
        conf.Append("bind-dynamic\n");
        conf.Append("interface=").Append(def.BridgeName).Append('\n');
        BigInteger leases = 0;
        bool dhcp = false, ipv6 = false;
        foreach (NetworkIpDef ip in def.Ips.Where(ip => ip.Ranges.Count > 0 || ip.Hosts.Count > 0))
        {
            dhcp = true;
            ipv6 |= !ip.IsIPv4;
            foreach (NetworkDhcpRange range in ip.Ranges)
            {
                string mask = ip.IsIPv4 ? NetworkAddresses.Netmask(ip.PrefixLength).ToString() : ip.PrefixLength.ToString(CultureInfo.InvariantCulture);
                conf.Append("dhcp-range=").Append(range.Start).Append(',').Append(range.End).Append(',').Append(mask).Append('\n');
                leases += NetworkAddresses.ToNumber(range.End) - NetworkAddresses.ToNumber(range.Start) + 1;
            }
            if (ip.Ranges.Count == 0)
            {
                // Static hosts only: dnsmasq answers them from a range of just the network's own address.
                conf.Append("dhcp-range=").Append(ip.Address).Append(",static\n");
            }
        }
        if (dhcp)
        {
            conf.Append("dhcp-no-override\n");
            conf.Append("dhcp-authoritative\n");
            conf.Append("dhcp-lease-max=").Append(BigInteger.Min(leases, int.MaxValue).ToString(CultureInfo.InvariantCulture)).Append('\n');
            conf.Append("dhcp-hostsfile=").Append(files.HostsFile).Append('\n');
            conf.Append("dhcp-leasefile=").Append(files.LeaseFile).Append('\n');
        }
        if (ipv6)
        {
            conf.Append("enable-ra\n");
        }
        conf.Append("addn-hosts=").Append(files.AddnHostsFile).Append('\n');
        foreach (NetworkIpDef ip in def.Ips.Where(ip => !ip.IsIPv4 && ip.Ranges.Count == 0 && ip.Hosts.Count == 0))
        {
            conf.Append("dhcp-range=").Append(ip.Address).Append(",ra-only\n"); // router advertisements only, as libvirt
        }
        return conf.ToString();
    }

    /// <summary>dhcp-hostsfile lines: "mac,ip,name" for IPv4, "id:ID,[ip],name" for IPv6.</summary>
    public static string HostsFile(NetworkDef def)
    {
        var lines = new StringBuilder();
        foreach (NetworkIpDef ip in def.Ips)
        {
            foreach (NetworkDhcpHost host in ip.Hosts)
            {
                var fields = new List<string>();
                if (ip.IsIPv4)
                {
                    if (host.Mac is not null)
                    {
                        fields.Add(host.Mac);
                    }
                    fields.Add(host.Ip!.ToString());
                }
                else
                {
                    if (host.Id is not null)
                    {
                        fields.Add("id:" + host.Id);
                    }
                    fields.Add("[" + host.Ip + "]");
                }
                if (host.Name is not null)
                {
                    fields.Add(host.Name);
                }
                lines.Append(string.Join(',', fields)).Append('\n');
            }
        }
        return lines.ToString();
    }

    /// <summary>addn-hosts lines from &lt;dns&gt;&lt;host ip&gt;&lt;hostname&gt;: "ip\tname...".</summary>
    public static string AddnHosts(NetworkDef def)
    {
        var lines = new StringBuilder();
        foreach (XElement host in def.Dns?.Elements("host") ?? [])
        {
            string[] names = host.Elements("hostname").Select(h => h.Value.Trim()).Where(n => n.Length > 0).ToArray();
            if ((string?)host.Attribute("ip") is { } ip && names.Length > 0)
            {
                lines.Append(ip).Append('\t').Append(string.Join('\t', names)).Append('\n');
            }
        }
        return lines.ToString();
    }
}
