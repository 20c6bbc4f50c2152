using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Tests.Networks;

/// <summary>libvirt's network XML: libvirt's own round-trip cases, its parse errors, and content kvmd keeps as written.</summary>
public sealed class NetworkXmlTests
{
    private static readonly string s_data = Path.Combine(AppContext.BaseDirectory, "Networks", "libvirt-xml2xml");

    /// <summary>networkxml2xmltest.c's DO_TEST cases (all succeed in libvirt), less <see cref="KnownDifferences"/>.</summary>
    public static IEnumerable<string> RoundTripCases() =>
        Directory.GetFiles(Path.Combine(s_data, "in"), "*.xml").Select(f => Path.GetFileNameWithoutExtension(f)!)
            .Except(ParseErrors).Except(KnownDifferences.Keys).Order(StringComparer.Ordinal);

    /// <summary>networkxml2xmltest.c's DO_TEST_PARSE_ERROR cases.</summary>
    public static readonly string[] ParseErrors = ["routed-network-no-dns-extra-elements", "open-network-with-forward-dev", "hostdev-duplicate", "passthrough-duplicate"];

    /// <summary>Cases formatted differently, and why: content kept as written where libvirt rewrites it.</summary>
    public static readonly Dictionary<string, string> KnownDifferences = new()
    {
        ["dnsmasq-options"] = "<dnsmasq:options> is kept as written, with its namespace declared on itself rather than on <network>",
    };

    [TestCaseSource(nameof(RoundTripCases))]
    public void LibvirtRoundTrip_FormatsAsLibvirt(string name)
    {
        NetworkDef def = NetworkXml.Parse(File.ReadAllText(Path.Combine(s_data, "in", name + ".xml")));
        Assert.That(NetworkXml.Format(def), Is.EqualTo(File.ReadAllText(Path.Combine(s_data, "out", name + ".xml"))));
    }

    [TestCaseSource(nameof(ParseErrors))]
    public void LibvirtParseError_Rejected(string name) =>
        Assert.That(() => NetworkXml.Parse(File.ReadAllText(Path.Combine(s_data, "in", name + ".xml"))), Throws.TypeOf<DomainOperationException>());

    [Test]
    public void Format_IsAFixedPoint()
    {
        foreach (string name in RoundTripCases())
        {
            string once = NetworkXml.Format(NetworkXml.Parse(File.ReadAllText(Path.Combine(s_data, "in", name + ".xml"))));
            Assert.That(NetworkXml.Format(NetworkXml.Parse(once)), Is.EqualTo(once), name);
        }
    }

    [Test]
    public void Parse_UnknownContent_KeptInLibvirtsPlace()
    {
        NetworkDef def = NetworkXml.Parse("""
            <network>
              <route address='10.0.0.0' prefix='8' gateway='192.168.1.2'/>
              <ip address='192.168.1.1' prefix='24' futureAttr='x'><future/></ip>
              <name>n</name>
              <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
              <somethingNew a='b'>text</somethingNew>
              <bridge name='br5' stp='off' delay='3' newOpt='1'/>
            </network>
            """);
        Assert.That(NetworkXml.Format(def), Is.EqualTo("""
            <network>
              <name>n</name>
              <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
              <bridge name='br5' stp='off' delay='3' newOpt='1'/>
              <ip address='192.168.1.1' prefix='24' futureAttr='x'>
                <future/>
              </ip>
              <route address='10.0.0.0' prefix='8' gateway='192.168.1.2'/>
              <somethingNew a='b'>text</somethingNew>
            </network>

            """));
    }

    [TestCase("<network><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid></network>", "missing name information")]
    [TestCase("<network><name>a/b</name></network>", "XML error: invalid char in name: /")]
    [TestCase("<network><name>n</name><uuid>nope</uuid></network>", "internal error: malformed uuid element")]
    [TestCase("<network><name>n</name><mac address='01:00:00:00:00:01'/></network>", "XML error: Invalid multicast bridge mac address '01:00:00:00:00:01' in network 'n'")]
    [TestCase("<network><name>n</name><forward mode='nat'/></network>", "XML error: nat forwarding requested, but no IP address provided for network 'n'")]
    [TestCase("<network><name>n</name><forward mode='warp'/></network>", "unsupported configuration: unknown forwarding type 'warp'")]
    [TestCase("<network><name>n</name><ip address='10.0.0.1' netmask='255.255.255.0' prefix='24'/></network>",
        "unsupported configuration: Network 'n' IP address cannot have both a prefix and a netmask")]
    [TestCase("<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.9'/></dhcp></ip></network>",
        "invalid argument: range 10.0.1.2 - 10.0.1.9 is not entirely within network 10.0.0.1/24")]
    [TestCase("<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01'/></dhcp></ip></network>",
        "XML error: Missing IP address in static host definition for network 'n'")]
    [TestCase("<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.3'/></dhcp></ip><ip address='10.1.0.1' prefix='24'><dhcp><range start='10.1.0.2' end='10.1.0.3'/></dhcp></ip></network>",
        "unsupported configuration: Multiple IPv4 dhcp sections found -- dhcp is supported only for a single IPv4 address on each network")]
    [TestCase("<network><name>n</name><mtu size='big'/></network>", "XML error: Invalid mtu size 'big' in network 'n'")]
    [TestCase("<!DOCTYPE network [<!ENTITY x 'y'>]><network><name>&x;</name></network>", null)]
    public void Parse_BadInput_LibvirtsError(string xml, string? message)
    {
        var e = Assert.Throws<DomainOperationException>(() => NetworkXml.Parse(xml))!;
        if (message is not null)
        {
            Assert.That(e.Message, Is.EqualTo(message));
        }
    }

    [Test]
    public void Parse_IPv4WithoutMaskOrPrefix_ClassfulPrefix()
    {
        NetworkDef def = NetworkXml.Parse("<network><name>n</name><ip address='10.24.10.1'/><ip address='172.16.0.1'/><ip address='192.168.1.1'/></network>");
        Assert.That(def.Ips.Select(ip => ip.PrefixLength), Is.EqualTo(new[] { 8, 16, 24 }));
    }
}
