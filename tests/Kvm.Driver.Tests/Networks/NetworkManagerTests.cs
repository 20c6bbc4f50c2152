using System.Xml.Linq;
using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Tests.Networks;

/// <summary>The driver core's network rules: define-time defaults, duplicates, states, persistence, autostart, updates, events.</summary>
public sealed class NetworkManagerTests
{
    private string _root = null!;
    private RecordingRealiser _host = null!;
    private NetworkManager _networks = null!;
    private List<string> _events = null!;

    private string State => Path.Combine(_root, "state");

    private string Runtime => Path.Combine(_root, "run");

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("kvmd-networks-").FullName;
        _host = new RecordingRealiser();
        _networks = NewManager();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private NetworkManager NewManager()
    {
        var manager = new NetworkManager(State, Runtime, _host);
        _events = [];
        manager.LifecycleEvent += e => _events.Add($"{manager.LookupByUuid(e.Uuid).Name}:{e.Event}");
        manager.Load();
        return manager;
    }

    private static string Nat(string name, string subnet = "192.168.122", string? bridge = null) => $"""
        <network>
          <name>{name}</name>
          <forward mode='nat'/>
          {(bridge is null ? "" : $"<bridge name='{bridge}'/>")}
          <ip address='{subnet}.1' netmask='255.255.255.0'>
            <dhcp><range start='{subnet}.2' end='{subnet}.254'/></dhcp>
          </ip>
        </network>
        """;

    [Test]
    public void Define_NoBridgeNoMacNoUuid_FirstFreeVirbrAndGeneratedMacStored()
    {
        _host.HostLinks.Add("virbr0"); // a bridge of the host that no network owns is skipped, as libvirt does
        NetworkSnapshot first = _networks.Define(Nat("default"));
        NetworkSnapshot second = _networks.Define(Nat("other", "192.168.123"));
        Assert.That((first.Bridge, second.Bridge), Is.EqualTo(("virbr1", "virbr2")));
        Assert.That((first.Active, first.Persistent, first.Autostart), Is.EqualTo((false, true, false)));
        XElement xml = XElement.Parse(_networks.GetXmlDesc(first.Uuid, 0));
        Assert.That((string?)xml.Element("mac")?.Attribute("address"), Does.Match("^52:54:00(:[0-9a-f]{2}){3}$"));
        Assert.That(xml.Element("uuid")!.Value, Is.EqualTo(first.Uuid.ToString("D")));
        Assert.That((string?)xml.Element("bridge")?.Attribute("stp"), Is.EqualTo("on"));
        Assert.That(File.ReadAllText(Path.Combine(State, "networks", "default.xml")), Is.EqualTo(_networks.GetXmlDesc(first.Uuid, 1)));
        Assert.That(_events, Is.EqualTo(new[] { "default:Defined", "other:Defined" }));
    }

    [Test]
    public void Define_BridgeNameOfAnotherNetwork_LibvirtsErrorNothingStored()
    {
        _networks.Define(Nat("a", bridge: "br9"));
        Assert.That(() => _networks.Define(Nat("b", "10.1.1", bridge: "br9")), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("internal error: bridge name 'br9' already in use."));
        Assert.That(_networks.List().Select(n => n.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(File.Exists(Path.Combine(State, "networks", "b.xml")), Is.False);
    }

    [Test]
    public void Define_SameNameOtherUuidOrSameUuidOtherName_LibvirtsErrors()
    {
        NetworkSnapshot a = _networks.Define(Nat("a"));
        Assert.That(() => _networks.Define(Nat("a").Replace("<name>a</name>", "<name>a</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>")),
            Throws.TypeOf<DomainOperationException>().With.Message.EqualTo($"operation failed: network 'a' already exists with uuid {a.Uuid:D}"));
        Assert.That(() => _networks.Define(Nat("b").Replace("<name>b</name>", $"<name>b</name><uuid>{a.Uuid:D}</uuid>")),
            Throws.TypeOf<DomainOperationException>().With.Message.EqualTo($"operation failed: network 'a' is already defined with uuid {a.Uuid:D}"));
    }

    [Test]
    public void Redefine_SameNameAndUuid_KeepsItsBridgeAndReplacesTheDefinition()
    {
        NetworkSnapshot a = _networks.Define(Nat("a"));
        string again = Nat("a", "10.9.9").Replace("<name>a</name>", $"<name>a</name><uuid>{a.Uuid:D}</uuid><bridge name='{a.Bridge}'/>");
        _networks.Define(again);
        Assert.That(_networks.GetXmlDesc(a.Uuid, 0), Does.Contain("10.9.9.1"));
        Assert.That(_networks.List(), Has.Count.EqualTo(1));
    }

    [Test]
    public void StartStop_PersistentNetwork_RealisedThenTornDownWithEvents()
    {
        NetworkSnapshot net = _networks.Define(Nat("default"));
        _networks.Start(net.Uuid);
        Assert.That(_networks.LookupByUuid(net.Uuid).Active, Is.True);
        Assert.That(() => _networks.Start(net.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: network is already active"));
        _networks.Destroy(net.Uuid);
        Assert.That(() => _networks.Destroy(net.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: network 'default' is not active"));
        Assert.That(_host.Calls, Is.EqualTo(new[] { "routes default", "start default virbr0", "stop default virbr0" }));
        Assert.That(_events, Is.EqualTo(new[] { "default:Defined", "default:Started", "default:Stopped" }));
    }

    [Test]
    public void CreateTransient_ThenDestroy_Gone()
    {
        NetworkSnapshot net = _networks.CreateTransient(Nat("t"));
        Assert.That((net.Active, net.Persistent), Is.EqualTo((true, false)));
        Assert.That(() => _networks.SetAutostart(net.Uuid, true), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: cannot set autostart for transient network"));
        Assert.That(() => _networks.Undefine(net.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: can't undefine transient network"));
        _networks.Destroy(net.Uuid);
        Assert.That(_networks.List(), Is.Empty);
        Assert.That(() => _networks.LookupByName("t"), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Network not found: no network with matching name 't'"));
    }

    [Test]
    public void CreateTransient_RealiserFails_NothingLeftInTheTable()
    {
        _host.FailStartWith = "Unable to create bridge virbr0: boom";
        Assert.That(() => _networks.CreateTransient(Nat("t")), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("Unable to create bridge virbr0: boom"));
        Assert.That(_networks.List(), Is.Empty);
        Assert.That(_events, Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(Runtime, "network")) && Directory.EnumerateFiles(Path.Combine(Runtime, "network")).Any(), Is.False);
    }

    [Test]
    public void Start_SubnetOverlapsARunningNetwork_RefusedBeforeTheHostIsTouched()
    {
        _networks.CreateTransient(Nat("a", "10.0.0"));
        NetworkSnapshot b = _networks.Define("<network><name>b</name><ip address='10.0.0.129' prefix='25'/></network>");
        Assert.That(() => _networks.Start(b.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("internal error: Network is already in use by interface virbr0 (network 'a' has 10.0.0.0/24)"));
        Assert.That(_host.Calls.Count(c => c.StartsWith("start", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(_networks.LookupByName("b").Active, Is.False);
    }

    [Test]
    public void Undefine_Running_BecomesTransientUntilStopped()
    {
        NetworkSnapshot net = _networks.Define(Nat("n"));
        _networks.Start(net.Uuid);
        _networks.Undefine(net.Uuid);
        Assert.That(_networks.LookupByName("n") is { Active: true, Persistent: false }, Is.True);
        Assert.That(File.Exists(Path.Combine(State, "networks", "n.xml")), Is.False);
        _networks.Destroy(net.Uuid);
        Assert.That(_networks.List(), Is.Empty);
        Assert.That(_events, Is.EqualTo(new[] { "n:Defined", "n:Started", "n:Undefined", "n:Stopped" }));
    }

    [Test]
    public void Load_AfterRestart_DefinitionsAutostartAndRunningNetworksBack()
    {
        NetworkSnapshot auto = _networks.Define(Nat("auto"));
        _networks.SetAutostart(auto.Uuid, true);
        NetworkSnapshot running = _networks.Define(Nat("running", "10.3.3"));
        _networks.Start(running.Uuid);
        NetworkSnapshot transient = _networks.CreateTransient(Nat("transient", "10.4.4"));
        _host.Calls.Clear();

        _networks = NewManager();

        Assert.That(_networks.List().Select(n => (n.Name, n.Active, n.Persistent, n.Autostart)), Is.EqualTo(new[]
        {
            ("auto", true, true, true), ("running", true, true, false), ("transient", true, false, false),
        }));
        // The running ones are re-adopted, not started again; the autostart one is started.
        Assert.That(_host.Calls, Is.EqualTo(new[] { "routes auto", "start auto virbr0" }));
        Assert.That(_networks.LookupByUuid(transient.Uuid).Bridge, Is.EqualTo("virbr2"));
    }

    [Test]
    public void Update_AddDhcpHostLiveAndConfig_InBothDefinitionsAndDnsmasqTold()
    {
        NetworkSnapshot net = _networks.Define(Nat("default"));
        _networks.Start(net.Uuid);
        const string Host = "<host mac='00:16:3e:77:e2:ed' name='foo.example.com' ip='192.168.122.10'/>";
        _networks.Update(net.Uuid, 4, 4, 0, Host, 0); // ADD_FIRST, IP_DHCP_HOST, current (live)
        Assert.That(_networks.GetXmlDesc(net.Uuid, 0), Does.Contain(Host));
        Assert.That(_networks.GetXmlDesc(net.Uuid, 1), Does.Not.Contain(Host));
        Assert.That(_host.Calls.Last(), Is.EqualTo("hosts default 00:16:3e:77:e2:ed,192.168.122.10,foo.example.com"));
        Assert.That(() => _networks.Update(net.Uuid, 3, 4, 0, Host, 1), Throws.TypeOf<DomainOperationException>()
            .With.Message.StartWith("Requested operation is not valid: there is an existing dhcp host entry in network 'default' that matches"));
        _networks.Update(net.Uuid, 3, 4, -1, Host, 2); // ADD_LAST, config
        Assert.That(_networks.GetXmlDesc(net.Uuid, 1), Does.Contain(Host));
        Assert.That(File.ReadAllText(Path.Combine(State, "networks", "default.xml")), Does.Contain(Host));
        _networks.Update(net.Uuid, 2, 4, 0, "<host mac='00:16:3e:77:e2:ed'/>", 3); // DELETE from both
        Assert.That(_networks.GetXmlDesc(net.Uuid, 0) + _networks.GetXmlDesc(net.Uuid, 1), Does.Not.Contain("00:16:3e:77:e2:ed"));
        Assert.That(() => _networks.Update(net.Uuid, 3, 1, 0, "<bridge name='x'/>", 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("this function is not supported by the connection driver: can't update 'bridge' section of network 'default'"));
    }

    [Test]
    public async Task Start_WhileTheHostIsSlow_LookupsAndListingsDoNotWait()
    {
        NetworkSnapshot net = _networks.Define(Nat("slow"));
        using var release = new ManualResetEventSlim();
        _host.HoldStart = release;
        Task start = Task.Run(() => _networks.Start(net.Uuid));
        Assert.That(_host.StartEntered.Wait(TimeSpan.FromSeconds(10)), Is.True);
        Task<IReadOnlyList<NetworkSnapshot>> list = Task.Run(() => _networks.List());
        Assert.That(list.Wait(TimeSpan.FromSeconds(5)), Is.True, "List waited for the start");
        Assert.That(list.Result.Single().Active, Is.False, "not active before the host side is done");
        Assert.That(_networks.GetXmlDesc(net.Uuid, 0), Does.Contain("<name>slow</name>"));
        release.Set();
        await start;
        Assert.That(_networks.LookupByUuid(net.Uuid).Active, Is.True);
    }

    [Test]
    public void GetDhcpLeases_FilteredByMacCaseInsensitively()
    {
        NetworkSnapshot net = _networks.CreateTransient(Nat("n"));
        _host.Leases.Add(new DhcpLease("virbr0", 1, 0, "52:54:00:aa:bb:cc", "", "192.168.122.50", 24, "g", ""));
        _host.Leases.Add(new DhcpLease("virbr0", 1, 0, "52:54:00:aa:bb:cd", "", "192.168.122.51", 24, "h", ""));
        Assert.That(_networks.GetDhcpLeases(net.Uuid, null, 0), Has.Count.EqualTo(2));
        Assert.That(_networks.GetDhcpLeases(net.Uuid, "52:54:00:AA:BB:CC", 0).Single().IpAddress, Is.EqualTo("192.168.122.50"));
        Assert.That(() => _networks.GetDhcpLeases(net.Uuid, null, 1), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("unsupported flags (0x1) in function networkGetDHCPLeases"));
    }

    [Test]
    public void LeasesOf_RunningNetworkByName_ItsLeases_InactiveOrUnknown_None()
    {
        _networks.CreateTransient(Nat("running"));
        _networks.Define(Nat("stopped"));
        _host.Leases.Add(new DhcpLease("virbr0", 1, 0, "52:54:00:aa:bb:cc", "", "192.168.122.50", 24, "g", ""));

        Assert.That(_networks.LeasesOf("running").Single().IpAddress, Is.EqualTo("192.168.122.50"));
        Assert.That(_networks.LeasesOf("stopped"), Is.Empty, "dnsmasq runs only for a running network");
        Assert.That(_networks.LeasesOf("missing"), Is.Empty);
    }
}
