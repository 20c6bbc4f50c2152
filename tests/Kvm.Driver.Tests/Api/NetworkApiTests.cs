using Kvm.Driver.Api;
using Kvm.Driver.Networks;
using Kvm.Driver.Tests.Domains;
using Kvm.Driver.Tests.Networks;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// org.libvirt.Network at libvirt-dbus's paths on a real dbus-daemon, served by kvmd's D-Bus front end over the real
/// driver core and the real realiser (bridges, nftables and dnsmasq inside a network namespace the test makes), with
/// one active persistent network as libvirt's test driver has; libvirt-dbus's upstream network tests run against it.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class NetworkApiTests
{
    private const string Connect = "org.libvirt.Connect";
    private const string Network = "org.libvirt.Network";
    private PrivateBus _bus = null!;
    private ManagerFixture _f = null!;
    private NetNamespace _ns = null!;
    private NetworkManager _networks = null!;
    private KvmdApiService _service = null!;
    private DBusConnection _client = null!;

    [OneTimeSetUp]
    public void StartBus() => _bus = PrivateBus.Start();

    [OneTimeTearDown]
    public void StopBus() => _bus?.Dispose();

    [SetUp]
    public async Task SetUp()
    {
        _ns = NetNamespace.Create(("nft", "nftables"), ("dnsmasq", "dnsmasq-base"));
        _f = new ManagerFixture();
        File.SetUnixFileMode(_f.Root, (UnixFileMode)0b111_101_101); // dnsmasq, as nobody, reads its hosts files there
        await _f.Manager.InitializeAsync(CancellationToken.None);
        _networks = new NetworkManager(_f.Options.StateDirectory, _f.Options.RuntimeDirectory,
            new LinuxNetworkRealiser(_f.Options.RuntimeDirectory, _ns.Commands));
        _networks.Load();
        NetworkSnapshot net = _networks.Define("""
            <network>
              <name>default</name>
              <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
              <forward mode='nat'/>
              <ip address='192.168.150.1' netmask='255.255.255.0'>
                <dhcp><range start='192.168.150.2' end='192.168.150.254'/></dhcp>
              </ip>
            </network>
            """);
        _networks.Start(net.Uuid);
        _service = await KvmdApiService.StartAsync(_f.Manager, _bus.Address, new KvmdApiOptions { EmulatorPath = _f.Options.VmmPath },
            CancellationToken.None, networks: _networks);
        _client = await BusClient.ConnectAsync(_bus.Address);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (_networks is not null)
        {
            foreach (NetworkSnapshot network in _networks.List().Where(n => n.Active))
            {
                _networks.Destroy(network.Uuid);
            }
        }
        _ns?.Dispose();
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [Test]
    public async Task Lifecycle_DefineLookupCreateXmlDestroyUndefine_AsLibvirtDBusClientsSeeIt()
    {
        string path = await CallAsync(LibvirtPaths.Connect, Connect, "NetworkDefineXML",
            [Arg.String("<network><name>iso</name><uuid>004b96e1-2d78-c30f-5aa5-f03c87d21e69</uuid><ip address='10.20.0.1' prefix='24'/></network>")], ReadPath);
        Assert.That(path, Is.EqualTo("/org/libvirt/QEMU/network/_004b96e1_2d78_c30f_5aa5_f03c87d21e69"));
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "NetworkLookupByName", [Arg.String("iso")], ReadPath), Is.EqualTo(path));
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "NetworkLookupByUUID", [Arg.String("004b96e12d78c30f5aa5f03c87d21e69")], ReadPath), Is.EqualTo(path));
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "ListNetworks", [Arg.UInt32(2)], ReadPaths),
            Is.EqualTo(new[] { "/org/libvirt/QEMU/network/_dd8fe884_6c02_601e_7551_cca97df1c5df" }), "VIR_CONNECT_LIST_NETWORKS_ACTIVE");
        Assert.That(await CallAsync(LibvirtPaths.Connect, Connect, "ListNetworks", [Arg.UInt32(1)], ReadPaths), Is.EqualTo(new[] { path }), "INACTIVE");

        await CallAsync(path, Network, "Create", [], ReadNothing);
        Assert.That(_ns.Run("ip", "-4", "addr", "show", "dev", "virbr1"), Does.Contain("10.20.0.1/24"));
        string xml = await CallAsync(path, Network, "GetXMLDesc", [Arg.UInt32(0)], ReadString);
        Assert.That(xml, Does.StartWith("<network>\n  <name>iso</name>\n  <uuid>004b96e1-2d78-c30f-5aa5-f03c87d21e69</uuid>\n  <bridge name='virbr1' stp='on' delay='0'/>\n  <mac address='52:54:00:"));
        Assert.That(await CallAsync(path, Network, "GetDHCPLeases", [Arg.String(""), Arg.UInt32(0)], static (Message m, object? _) =>
        {
            Reader r = m.GetBodyReader();
            ArrayEnd end = r.ReadArrayStart(DBusType.Struct);
            int n = 0;
            while (r.HasNext(end))
            {
                r.AlignStruct();
                r.ReadString(); r.ReadInt64(); r.ReadInt32(); r.ReadString(); r.ReadString(); r.ReadString(); r.ReadUInt32(); r.ReadString(); r.ReadString();
                n++;
            }
            return n;
        }), Is.EqualTo(0));

        await CallAsync(path, Network, "Destroy", [], ReadNothing);
        Assert.That(_ns.TryRun("ip", "link", "show", "dev", "virbr1").Exit, Is.Not.EqualTo(0));
        await CallAsync(path, Network, "Undefine", [], ReadNothing);
        Assert.That(async () => await CallAsync(path, Network, "GetXMLDesc", [Arg.UInt32(0)], ReadString),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("Network not found: no network with matching uuid '004b96e1-2d78-c30f-5aa5-f03c87d21e69'"));
    }

    [Test]
    public void NetworkCreateXML_BridgeOfAnotherNetwork_LibvirtsErrorNothingMade()
    {
        Assert.That(async () => await CallAsync(LibvirtPaths.Connect, Connect, "NetworkCreateXML",
            [Arg.String("<network><name>x</name><bridge name='virbr0'/><ip address='10.30.0.1' prefix='24'/></network>")], ReadPath),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("internal error: bridge name 'virbr0' already in use."));
        Assert.That(_networks.List().Select(n => n.Name), Is.EqualTo(new[] { "default" }));
    }

    [Test]
    public void NetworkDefineXML_InvalidXml_LibvirtsError()
    {
        Assert.That(async () => await CallAsync(LibvirtPaths.Connect, Connect, "NetworkDefineXML",
            [Arg.String("<network><name>x</name><forward mode='route'/></network>")], ReadPath),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("XML error: route forwarding requested, but no IP address provided for network 'x'"));
    }

    public static readonly string[] SuiteTests =
    [
        "test_connect_list_networks", "test_connect_network_create_xml", "test_connect_network_define_xml",
        "test_connect_network_lookup_by_name", "test_connect_network_lookup_by_uuid", "test_network_properties_type",
        "test_network_autostart", "test_network_create", "test_network_destroy", "test_network_get_xml_description",
        "test_network_undefine", "test_network_update",
    ];

    /// <summary>libvirt-dbus's upstream network tests (libvirt_dbus_suite.py), against kvmd with one active network.</summary>
    [TestCaseSource(nameof(SuiteTests))]
    public void Suite_AgainstKvmd_Passes(string test)
    {
        ExternalTool.RequirePythonDBus();
        RunSuite(_bus.Address, LibvirtPaths.Connect, test);
    }

    /// <summary>The same tests against the real libvirt-dbus and libvirt's test driver, which must pass them too.</summary>
    [TestCaseSource(nameof(SuiteTests))]
    public async Task Suite_AgainstReferencePeer_Passes(string test)
    {
        ExternalTool.RequirePythonDBus();
        ReferencePeer.Require();
        using PrivateBus peerBus = PrivateBus.Start();
        await using ReferencePeer peer = await ReferencePeer.StartAsync(peerBus.Address);
        RunSuite(peerBus.Address, ReferencePeer.ConnectPath, test);
    }

    private static void RunSuite(string busAddress, string connectPath, string test)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Api", "libvirt_dbus_suite.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, ExternalTool.Python, script, busAddress, connectPath, test);
        Assert.That(exit, Is.EqualTo(0), $"{test} failed:\n{stdout}\n{stderr}");
        Assert.That(stdout.Trim(), Is.EqualTo("ok"));
    }

    private static string ReadPath(Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString();

    private static string[] ReadPaths(Message m, object? _) => m.GetBodyReader().ReadArrayOfObjectPath().Select(p => p.ToString()).ToArray();

    private static string ReadString(Message m, object? _) => m.GetBodyReader().ReadString();

    private static bool ReadNothing(Message m, object? _) => true;

    private Task<T> CallAsync<T>(string path, string iface, string member, Arg[] args, MessageValueReader<T> reader)
    {
        string signature = string.Concat(args.Select(a => a.Signature));
        MessageBuffer call;
        MessageWriter writer = _client.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader("org.libvirt", path, iface, member, signature.Length == 0 ? null : signature);
            foreach (Arg arg in args)
            {
                arg.WriteTo(ref writer);
            }
            call = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        return _client.CallMethodAsync(call, reader);
    }
}
