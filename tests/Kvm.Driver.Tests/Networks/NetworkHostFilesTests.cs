using Kvm.Driver.Networks;

namespace Kvm.Driver.Tests.Networks;

/// <summary>What the realiser hands to dnsmasq and nft, and how it reads dnsmasq's lease file (the real tools run them in NetworkNamespaceTests).</summary>
public sealed class NetworkHostFilesTests
{
    private static readonly NetworkDef s_nat = NetworkXml.Parse("""
        <network>
          <name>default</name>
          <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
          <forward dev='eth1' mode='nat'><nat><port start='2000' end='3000'/></nat></forward>
          <bridge name='virbr0'/>
          <domain name='example.com' localOnly='yes'/>
          <dns>
            <forwarder addr='8.8.8.8'/>
            <host ip='192.168.122.2'><hostname>myhost</hostname><hostname>myhostalias</hostname></host>
          </dns>
          <ip address='192.168.122.1' netmask='255.255.255.0'>
            <dhcp>
              <range start='192.168.122.2' end='192.168.122.254'/>
              <host mac='00:16:3e:77:e2:ed' name='a.example.com' ip='192.168.122.10'/>
            </dhcp>
          </ip>
          <ip family='ipv6' address='2001:db8:ac10:fe01::1' prefix='64'/>
        </network>
        """);

    [Test]
    public void DnsmasqConfig_AsLibvirtWritesIt_WithAPlainLeaseFile()
    {
        var files = NetworkFiles.For("/run/kvmd", "default");
        string conf = DnsmasqConfig.Contents(s_nat, files);
        Assert.That(conf.Split('\n').Where(l => !l.StartsWith("##", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "strict-order", "pid-file=/run/kvmd/network/default.pid", "server=8.8.8.8", "domain=example.com", "local=/example.com/",
            "expand-hosts", "except-interface=lo", "bind-dynamic", "interface=virbr0",
            "dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0", "dhcp-no-override", "dhcp-authoritative", "dhcp-lease-max=253",
            "dhcp-hostsfile=/run/kvmd/network/default.hostsfile", "dhcp-leasefile=/run/kvmd/network/default.leases",
            "addn-hosts=/run/kvmd/network/default.addnhosts", "dhcp-range=2001:db8:ac10:fe01::1,ra-only", "",
        }));
        Assert.That(DnsmasqConfig.HostsFile(s_nat), Is.EqualTo("00:16:3e:77:e2:ed,192.168.122.10,a.example.com\n"));
        Assert.That(DnsmasqConfig.AddnHosts(s_nat), Is.EqualTo("192.168.122.2\tmyhost\tmyhostalias\n"));
    }

    [Test]
    public void NftablesRules_Nat_MasqueradeOnTheForwardDevInItsOwnTable()
    {
        string rules = NftablesRules.Contents(s_nat);
        Assert.That(rules, Does.StartWith("table inet kvmd_81ff0d90c91e674264da4a736edb9a9b {\n"));
        Assert.That(rules, Does.Contain("    oifname \"eth1\" ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 meta l4proto { tcp, udp } masquerade to :2000-3000\n"));
        Assert.That(rules, Does.Contain("    oifname \"virbr0\" iifname \"eth1\" ip daddr 192.168.122.0/24 ct state related,established accept\n"));
        Assert.That(rules, Does.Contain("    iifname \"virbr0\" oifname \"eth1\" ip6 saddr 2001:db8:ac10:fe01::/64 accept\n"), "IPv6 is routed, not masqueraded");
        Assert.That(NftablesRules.HasTable(s_nat with { Forward = NetworkForwardMode.Open, ForwardDev = null }), Is.False);
    }

    [Test]
    public void NftablesRules_HostileInterfaceName_Refused() =>
        Assert.That(() => NftablesRules.Contents(s_nat with { ForwardDev = "eth0\" accept" }), Throws.TypeOf<Kvm.Driver.Domains.DomainOperationException>());

    [Test]
    public void DnsmasqLeases_IPv4AndIPv6Lines_AsVirNetworkDHCPLease()
    {
        string file = """
            1733580000 52:54:00:aa:bb:cc 192.168.122.50 guest1 01:52:54:00:aa:bb:cc
            1733580001 52:54:00:aa:bb:cd 192.168.122.51 * *
            duid 00:01:00:01:2c:1e:2d:3e:52:54:00:11:22:33
            1733580002 12345 2001:db8:ac10:fe01::50 guest6 00:04:aa
            garbage line
            """;
        var leases = DnsmasqLeases.Parse(s_nat, file);
        Assert.That(leases, Is.EqualTo(new[]
        {
            new DhcpLease("virbr0", 1733580000, 0, "52:54:00:aa:bb:cc", "", "192.168.122.50", 24, "guest1", "01:52:54:00:aa:bb:cc"),
            new DhcpLease("virbr0", 1733580001, 0, "52:54:00:aa:bb:cd", "", "192.168.122.51", 24, "", ""),
            new DhcpLease("virbr0", 1733580002, 1, "", "12345", "2001:db8:ac10:fe01::50", 64, "guest6", "00:04:aa"),
        }));
    }
}
