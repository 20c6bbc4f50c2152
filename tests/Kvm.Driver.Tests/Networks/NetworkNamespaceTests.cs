using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Tests.Networks;

/// <summary>
/// Networks really started and stopped, by the driver core's <see cref="NetworkManager"/> with the real
/// <see cref="LinuxNetworkRealiser"/> (ip, nft, dnsmasq), inside a network namespace the test makes: the bridge, its
/// address, the nftables table and dnsmasq are there while the network runs, and nothing remains after it stops or
/// after a start that fails part way.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class NetworkNamespaceTests
{
    private NetNamespace _ns = null!;
    private string _root = null!;
    private NetworkManager _networks = null!;

    private string Runtime => Path.Combine(_root, "run");

    [SetUp]
    public void SetUp()
    {
        _ns = NetNamespace.Create(("nft", "nftables"), ("dnsmasq", "dnsmasq-base"));
        _root = Directory.CreateTempSubdirectory("kvmd-netns-").FullName;
        // dnsmasq drops root for nobody and still reads its hosts files: the runtime directory must be reachable.
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        _networks = new NetworkManager(Path.Combine(_root, "state"), Runtime, new LinuxNetworkRealiser(Runtime, _ns.Commands));
        _networks.Load();
    }

    [TearDown]
    public void TearDown()
    {
        if (_networks is not null)
        {
            foreach (NetworkSnapshot network in _networks.List().Where(n => n.Active))
            {
                _networks.Destroy(network.Uuid);
            }
        }
        _ns?.Dispose();
        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public void NatNetwork_StartThenStop_BridgeAddressDnsmasqAndNftTableExistThenNothingRemains()
    {
        NetworkSnapshot net = _networks.Define("""
            <network>
              <name>default</name>
              <forward mode='nat'/>
              <ip address='192.168.150.1' netmask='255.255.255.0'>
                <dhcp>
                  <range start='192.168.150.2' end='192.168.150.254'/>
                  <host mac='52:54:00:00:00:10' name='guest' ip='192.168.150.10'/>
                </dhcp>
              </ip>
            </network>
            """);
        Assert.That(net.Bridge, Is.EqualTo("virbr0"));
        _networks.Start(net.Uuid);
        string table = "kvmd_" + net.Uuid.ToString("N");

        string link = _ns.Run("ip", "-d", "link", "show", "dev", "virbr0");
        Assert.That(link, Does.Contain("bridge").And.Contain("UP").And.Contain("stp_state 1"));
        Assert.That(_ns.Run("ip", "-4", "addr", "show", "dev", "virbr0"), Does.Contain("inet 192.168.150.1/24 brd 192.168.150.255"));
        string rules = _ns.Run("nft", "list", "table", "inet", table);
        Assert.That(rules, Does.Contain("masquerade to :1024-65535").And.Contain("ip saddr 192.168.150.0/24"));
        Assert.That(_ns.Run("cat", "/proc/sys/net/ipv4/ip_forward").Trim(), Is.EqualTo("1"));
        var files = NetworkFiles.For(Runtime, "default");
        int pid = LinuxNetworkRealiser.ReadPid(files) ?? throw new AssertionException("dnsmasq is not running");
        Assert.That(File.ReadAllText($"/proc/{pid}/comm").Trim(), Is.EqualTo("dnsmasq"));
        Assert.That(new FileInfo($"/proc/{pid}/ns/net").LinkTarget, Is.EqualTo(_ns.Inode), "dnsmasq runs inside the test's namespace");
        Assert.That(File.ReadAllText(files.HostsFile), Is.EqualTo("52:54:00:00:00:10,192.168.150.10,guest\n"));
        // dnsmasq answers DNS on the bridge address (bind-dynamic, interface=virbr0).
        Assert.That(_ns.Run("ss", "-lnu"), Does.Contain("192.168.150.1:53"));

        _networks.Destroy(net.Uuid);

        Assert.That(_ns.TryRun("ip", "link", "show", "dev", "virbr0").Exit, Is.Not.EqualTo(0), "the bridge is gone");
        Assert.That(_ns.TryRun("nft", "list", "table", "inet", table).Exit, Is.Not.EqualTo(0), "the nftables table is gone");
        Assert.That(_ns.Run("nft", "list", "ruleset").Trim(), Is.Empty);
        Assert.That(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), Is.False,
            "dnsmasq has exited");
        Assert.That(files.All.Where(File.Exists), Is.Empty, "the runtime files are gone");
        Assert.That(_networks.LookupByName("default").Active, Is.False);
    }

    [Test]
    public void Start_DnsmasqRefusesItsConfiguration_FailsAndLeavesNothing()
    {
        NetworkSnapshot net = _networks.Define("""
            <network>
              <name>broken</name>
              <forward mode='nat'/>
              <dns><forwarder addr='not-an-address'/></dns>
              <ip address='192.168.151.1' prefix='24'/>
            </network>
            """);
        var e = Assert.Throws<DomainOperationException>(() => _networks.Start(net.Uuid))!;
        Assert.That(e.Message, Does.StartWith("Cannot start dnsmasq for network 'broken': "));
        Assert.That(_ns.TryRun("ip", "link", "show", "dev", net.Bridge!).Exit, Is.Not.EqualTo(0), "the bridge was removed");
        Assert.That(_ns.Run("nft", "list", "ruleset").Trim(), Is.Empty, "the firewall table was removed");
        Assert.That(NetworkFiles.For(Runtime, "broken").All.Where(File.Exists), Is.Empty);
        Assert.That(_networks.LookupByName("broken").Active, Is.False);
    }

    [Test]
    public void Start_SubnetAlreadyRoutedInTheNamespace_LibvirtsErrorNothingMade()
    {
        _ns.Run("ip", "link", "add", "taken0", "type", "bridge");
        _ns.Run("ip", "addr", "add", "192.168.152.7/24", "dev", "taken0");
        _ns.Run("ip", "link", "set", "taken0", "up");
        NetworkSnapshot net = _networks.Define("<network><name>clash</name><ip address='192.168.152.1' prefix='24'/></network>");
        Assert.That(() => _networks.Start(net.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("internal error: Network is already in use by interface taken0"));
        Assert.That(_ns.TryRun("ip", "link", "show", "dev", net.Bridge!).Exit, Is.Not.EqualTo(0));
    }

    [Test]
    public void CreateTransient_SecondNetworkOnTheSameSubnet_RefusedNothingMade()
    {
        _networks.CreateTransient("<network><name>a</name><ip address='10.77.0.1' prefix='16'/></network>");
        Assert.That(() => _networks.CreateTransient("<network><name>b</name><ip address='10.77.3.1' prefix='24'/></network>"),
            Throws.TypeOf<DomainOperationException>().With.Message.StartWith("internal error: Network is already in use by interface virbr0"));
        Assert.That(_networks.List().Select(n => n.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(_ns.TryRun("ip", "link", "show", "dev", "virbr1").Exit, Is.Not.EqualTo(0));
    }

    [Test]
    public void GetDhcpLeases_AClientInAnotherNamespaceGetsAnAddress_ReadFromDnsmasqsLeaseFile()
    {
        if (HostCommands.Find("busybox") is null)
        {
            Assert.Ignore("Needs busybox (its udhcpc is the DHCP client)");
        }
        NetworkSnapshot net = _networks.CreateTransient("""
            <network>
              <name>leases</name>
              <bridge stp='off'/>
              <ip address='192.168.153.1' netmask='255.255.255.0'>
                <dhcp><range start='192.168.153.100' end='192.168.153.110'/></dhcp>
              </ip>
            </network>
            """);
        using NetNamespace client = NetNamespace.Create();
        _ns.Run("ip", "link", "add", "vhost0", "type", "veth", "peer", "name", "vguest0");
        _ns.Run("ip", "link", "set", "vhost0", "master", "virbr0", "up");
        _ns.Run("ip", "link", "set", "vguest0", "address", "52:54:00:aa:bb:cc", "netns", client.Name);
        client.Run("ip", "link", "set", "vguest0", "up");
        client.Run("busybox", "udhcpc", "-i", "vguest0", "-n", "-q", "-t", "10", "-T", "1", "-x", "hostname:guest1", "-s", "/bin/true");

        DhcpLease lease = _networks.GetDhcpLeases(net.Uuid, "52:54:00:AA:BB:CC", 0).Single();
        Assert.That((lease.Interface, lease.Type, lease.Mac, lease.Prefix, lease.Hostname), Is.EqualTo(("virbr0", 0, "52:54:00:aa:bb:cc", 24u, "guest1")));
        Assert.That(lease.IpAddress, Does.StartWith("192.168.153.1"));
        Assert.That(lease.ExpiryTime, Is.GreaterThan(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Assert.That(_networks.GetDhcpLeases(net.Uuid, "52:54:00:00:00:01", 0), Is.Empty);
    }
}
