using System.Diagnostics;
using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using Kvm.Driver.Networks;
using Kvm.Driver.Tests.Networks;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// A running domain's interface statistics and addresses from the real kernel tables: two network namespaces of the
/// test's own joined by a veth pair, the host end named as the domain's &lt;target dev&gt;, the other end carrying the
/// domain's MAC as a guest would; UDP datagrams between them (bash's /dev/udp: no ping needed), then the driver core's answers (read from the host end's
/// namespace through /proc/PID/net) compared with the kernel's own counters and neighbour table. The domain runs on
/// the fake VMM (kvm-vmm --machine none), so no /dev/kvm is needed.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed partial class DomainInterfacesTests
{
    private const string HostEnd = "kvt0", GuestEnd = "kvt1";
    private const string GuestMac = "52:54:00:5a:17:01", LeaseMac = "52:54:00:5a:17:02";
    private const string HostIp = "10.231.7.1", GuestIp = "10.231.7.2";

    // A lease line as dnsmasq writes it: expiry, MAC, address, hostname, client id.
    private const string LeaseFile = "1765148400 52:54:00:5a:17:02 192.168.150.50 guest01 01:52:54:00:5a:17:02\n"
        + "1765148401 52:54:00:00:00:99 192.168.150.51 * *\n";

    private NetNamespace _host = null!;
    private NetNamespace _guest = null!;
    private Process _sleeper = null!;
    private ManagerFixture _fixture = null!;

    [SetUp]
    public void SetUp()
    {
        _host = NetNamespace.Create(("bash", "bash"));
        _guest = NetNamespace.Create();
        foreach (NetNamespace ns in new[] { _host, _guest })
        {
            // No IPv6: its router solicitations would move the counters between the two reads compared.
            ns.Run("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            ns.Run("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        }
        _host.Run("ip", "link", "add", HostEnd, "type", "veth", "peer", "name", GuestEnd);
        _host.Run("ip", "link", "set", GuestEnd, "netns", _guest.Name);
        _guest.Run("ip", "link", "set", GuestEnd, "address", GuestMac);
        _host.Run("ip", "addr", "add", HostIp + "/24", "dev", HostEnd);
        _guest.Run("ip", "addr", "add", GuestIp + "/24", "dev", GuestEnd);
        _host.Run("ip", "link", "set", HostEnd, "up");
        _guest.Run("ip", "link", "set", GuestEnd, "up");

        // A process inside the host end's namespace: /proc/PID/net holds that namespace's tables.
        _sleeper = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", _host.Name, "sleep", "600"]))!;
        NetworkDef leasesDef = NetworkXml.Parse("<network><name>default</name><bridge name='virbr9'/><ip address='192.168.150.1' prefix='24'/></network>");
        _fixture = new ManagerFixture(configure: o => o with
        {
            ProcNetDirectory = $"/proc/{_sleeper.Id}/net",
            NetworkBridges = _ => HostEnd,
            NetworkLeases = name => name == "default" ? DnsmasqLeases.Parse(leasesDef, LeaseFile) : [],
        });
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }
        if (_sleeper is not null)
        {
            _sleeper.Kill();
            await _sleeper.WaitForExitAsync();
            _sleeper.Dispose();
        }
        _guest?.Dispose();
        _host?.Dispose();
    }

    [Test]
    public async Task GetInterfaceStats_AfterPings_AreTheTapCountersSwapped()
    {
        Guid uuid = await StartAsync("stats");
        SendDatagrams(3);

        InterfaceCounters byName = _fixture.Manager.GetInterfaceStats(uuid, HostEnd);
        InterfaceCounters byMac = _fixture.Manager.GetInterfaceStats(uuid, GuestMac.ToUpperInvariant());

        // The host end sent the datagrams, which the guest received: the host's tx is the guest's rx.
        Assert.That(byName.RxPackets, Is.EqualTo(Kernel("tx_packets")));
        Assert.That(byName.RxBytes, Is.EqualTo(Kernel("tx_bytes")));
        Assert.That(byName.TxPackets, Is.EqualTo(Kernel("rx_packets")));
        Assert.That(byName.TxBytes, Is.EqualTo(Kernel("rx_bytes")));
        Assert.That(byName.RxErrors, Is.EqualTo(Kernel("tx_errors")));
        Assert.That(byName.TxDrops, Is.EqualTo(Kernel("rx_dropped")));
        Assert.That(byName.RxPackets, Is.GreaterThanOrEqualTo(3ul), "three datagrams (and an ARP request) went to the guest");
        Assert.That(byName.TxPackets, Is.GreaterThanOrEqualTo(1ul), "the ARP reply (and ICMP port unreachables) came back");
        Assert.That(byMac, Is.EqualTo(byName), "the interface found by its MAC is the same one");
    }

    [Test]
    public async Task GetStats_InterfaceGroup_ReportsNetCountNameAndCounters()
    {
        Guid uuid = await StartAsync("netstats");
        SendDatagrams(2);
        DomainInfo domain = _fixture.Manager.LookupByUuid(uuid);

        var nets = DomainStats.GetInterfaces(_fixture.Manager, domain, DomainStatsGroups.Interface);
        var records = DomainStats.Collect(domain, DomainStatsGroups.Interface, null, null, nets).ToDictionary(r => r.Key, r => r.Value);

        Assert.That(records["net.count"].GetUInt32(), Is.EqualTo(1u));
        Assert.That(records["net.0.name"].GetString(), Is.EqualTo(HostEnd));
        Assert.That(records["net.0.rx.pkts"].GetUInt64(), Is.EqualTo(Kernel("tx_packets")));
        Assert.That(records["net.0.tx.bytes"].GetUInt64(), Is.EqualTo(Kernel("rx_bytes")));
        Assert.That(records.Keys.Where(k => k.StartsWith("net.0.", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "net.0.name", "net.0.rx.bytes", "net.0.rx.pkts", "net.0.rx.errs", "net.0.rx.drop",
            "net.0.tx.bytes", "net.0.tx.pkts", "net.0.tx.errs", "net.0.tx.drop",
        }));
    }

    [Test]
    public async Task GetInterfaceAddresses_Arp_IsTheNeighbourEntryOfTheDomainsMac()
    {
        Guid uuid = await StartAsync("arp");
        SendDatagrams(1);
        Assert.That(_host.Run("ip", "neigh", "show", "dev", HostEnd), Does.Contain(GuestIp + " lladdr " + GuestMac), "the kernel's own neighbour table");

        var ifaces = _fixture.Manager.GetInterfaceAddresses(uuid, (uint)InterfaceAddressSource.Arp, 0);

        Assert.That(ifaces, Has.Count.EqualTo(1));
        Assert.That(ifaces[0].Name, Is.EqualTo(HostEnd));
        Assert.That(ifaces[0].Mac, Is.EqualTo(GuestMac));
        Assert.That(ifaces[0].Addresses, Is.EqualTo(new[] { new DomainIpAddress(0, GuestIp, 0) }));
    }

    [Test]
    public async Task GetInterfaceAddresses_Lease_IsTheNetworksLeaseOfTheDomainsMac()
    {
        Guid uuid = await StartAsync("lease", $"<interface type='network'><mac address='{LeaseMac}'/><source network='default'/><model type='virtio'/></interface>");

        var ifaces = _fixture.Manager.GetInterfaceAddresses(uuid, (uint)InterfaceAddressSource.Lease, 0);

        Assert.That(ifaces, Has.Count.EqualTo(1), "only the interface on the network has leases; the other lease is another MAC's");
        Assert.That(ifaces[0].Mac, Is.EqualTo(LeaseMac));
        Assert.That(ifaces[0].Addresses, Is.EqualTo(new[] { new DomainIpAddress(0, "192.168.150.50", 24) }));
    }

    [Test]
    public async Task GetInterfaceAddresses_AgentOrUnknownSourceOrFlags_LibvirtErrors()
    {
        Guid uuid = await StartAsync("agent");

        var agent = Assert.Throws<DomainOperationException>(() => _fixture.Manager.GetInterfaceAddresses(uuid, (uint)InterfaceAddressSource.Agent, 0));
        Assert.That(agent!.Code, Is.EqualTo(VirErrorCode.ArgumentUnsupported));
        Assert.That(agent.Message, Is.EqualTo("argument unsupported: QEMU guest agent is not configured"));
        var unknown = Assert.Throws<DomainOperationException>(() => _fixture.Manager.GetInterfaceAddresses(uuid, 7, 0));
        Assert.That(unknown!.Message, Is.EqualTo("invalid argument: Unknown IP address data source 7"));
        Assert.That(() => _fixture.Manager.GetInterfaceAddresses(uuid, 0, 1), Throws.InstanceOf<DomainOperationException>());
    }

    [Test]
    public async Task GetInterfaceStats_UnknownDevice_InvalidArg()
    {
        Guid uuid = await StartAsync("unknown");

        var e = Assert.Throws<DomainOperationException>(() => _fixture.Manager.GetInterfaceStats(uuid, "eth9"));

        Assert.That(e!.Code, Is.EqualTo(VirErrorCode.InvalidArg));
        Assert.That(e.Message, Is.EqualTo("invalid argument: 'eth9' is not a known interface"));
    }

    [Test]
    public void InterfaceQueries_InactiveDomain_DomainIsNotRunning()
    {
        Guid uuid = _fixture.Manager.Define(Xml("inactive", "")).Uuid;

        var stats = Assert.Throws<DomainOperationException>(() => _fixture.Manager.GetInterfaceStats(uuid, HostEnd));
        var addresses = Assert.Throws<DomainOperationException>(() => _fixture.Manager.GetInterfaceAddresses(uuid, 2, 0));

        Assert.That(stats!.Message, Is.EqualTo("Requested operation is not valid: domain is not running"));
        Assert.That(addresses!.Code, Is.EqualTo(VirErrorCode.OperationInvalid));
        Assert.That(_fixture.Manager.GetAllInterfaceStats(uuid), Is.Empty);
    }

    private async Task<Guid> StartAsync(string name, string extraDevices = "")
    {
        Guid uuid = _fixture.Manager.Define(Xml(name, extraDevices)).Uuid;
        await _fixture.Manager.StartAsync(uuid, paused: false, CancellationToken.None);
        return uuid;
    }

    private static string Xml(string name, string extraDevices) => TestDomains.Xml(name).Replace("<serial type='null'/>",
        $"<serial type='null'/><interface type='ethernet'><mac address='{GuestMac}'/><target dev='{HostEnd}' managed='no'/><model type='virtio'/></interface>{extraDevices}",
        StringComparison.Ordinal);

    /// <summary>
    /// UDP datagrams from the host end to the guest end (port 9, discard), sent by bash inside the host end's
    /// namespace; the first resolves the guest's MAC by ARP, so the neighbour table then holds it.
    /// </summary>
    private void SendDatagrams(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _host.Run("bash", "-c", $"echo datagram{i} > /dev/udp/{GuestIp}/9");
        }
        // The kernel sends a datagram once the ARP reply arrives: wait until the counter shows all of them left.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Kernel("tx_packets") < (ulong)count + 1 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }
    }

    /// <summary>The host end's counter as the kernel keeps it (sysfs statistics, read inside its namespace).</summary>
    private ulong Kernel(string counter) => ulong.Parse(_host.Run("cat", $"/sys/class/net/{HostEnd}/statistics/{counter}").Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
