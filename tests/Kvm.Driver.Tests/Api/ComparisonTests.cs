using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// The same calls to the real libvirt-dbus 1.4.1 (test driver at /org/libvirt/Test, on a bus of its own) and to
/// kvmd (at /org/libvirt/QEMU, seeded like test:///default): the same reply signatures, the same variant wrapping,
/// the same error names, and the same texts where GDBus or libvirt-dbus (not the driver) writes them.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class ComparisonTests : ApiBusFixture
{
    private const string Connect = "org.libvirt.Connect";
    private const string Domain = "org.libvirt.Domain";
    private const string Properties = "org.freedesktop.DBus.Properties";
    private PrivateBus? _peerBus;
    private DBusConnection? _peerClient;
    private ReferencePeer? _peer;

    public enum Target { Connect, Domain, MissingDomain, BogusDomain, DomainRoot, DeepDomain, Nope }

    public sealed record Probe(string Name, Target Target, string Interface, string Member, Arg[] Args, bool SameMessage = false)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Probe> Probes()
    {
        static Arg S(string v) => Arg.String(v);
        static Arg U(uint v) => Arg.UInt32(v);
        static Arg I(int v) => Arg.Int32(v);
        yield return new("Get Connect.LibVersion", Target.Connect, Properties, "Get", [S(Connect), S("LibVersion")]);
        yield return new("GetAll Connect", Target.Connect, Properties, "GetAll", [S(Connect)]);
        yield return new("GetAll Domain", Target.Domain, Properties, "GetAll", [S(Domain)]);
        yield return new("Get Domain.Id", Target.Domain, Properties, "Get", [S(Domain), S("Id")]);
        yield return new("Get Domain.SchedulerType", Target.Domain, Properties, "Get", [S(Domain), S("SchedulerType")]);
        yield return new("GetAll missing domain", Target.MissingDomain, Properties, "GetAll", [S(Domain)]);
        yield return new("GetAll bogus domain", Target.BogusDomain, Properties, "GetAll", [S(Domain)]);
        yield return new("Get missing domain", Target.MissingDomain, Properties, "Get", [S(Domain), S("Name")]);
        yield return new("Set read-only", Target.Domain, Properties, "Set", [S(Domain), S("Name"), Arg.VariantString("x")], SameMessage: true);
        yield return new("Set wrong type", Target.Domain, Properties, "Set", [S(Domain), S("Autostart"), Arg.VariantString("x")], SameMessage: true);
        yield return new("Get unknown interface", Target.Connect, Properties, "Get", [S("org.foo.Bar"), S("Name")], SameMessage: true);
        yield return new("GetAll unknown interface", Target.Domain, Properties, "GetAll", [S("org.foo.Bar")], SameMessage: true);
        yield return new("Get unknown property", Target.Connect, Properties, "Get", [S(Connect), S("Nope")], SameMessage: true);
        yield return new("Get wrong signature", Target.Domain, Properties, "Get", [S(Domain)], SameMessage: true);
        yield return new("Properties wrong signature on Connect", Target.Connect, Properties, "GetAll", [], SameMessage: true);
        yield return new("ListDomains", Target.Connect, Connect, "ListDomains", [U(0)]);
        yield return new("ListDomains bad flags", Target.Connect, Connect, "ListDomains", [U(65536)]);
        yield return new("ListDomains wrong signature", Target.Connect, Connect, "ListDomains", [S("x")], SameMessage: true);
        yield return new("DomainLookupByName", Target.Connect, Connect, "DomainLookupByName", [S("test")]);
        yield return new("DomainLookupByName missing", Target.Connect, Connect, "DomainLookupByName", [S("nosuch")]);
        yield return new("DomainLookupByUUID", Target.Connect, Connect, "DomainLookupByUUID", [S("6695eb01-f6a4-8304-79aa-97f2502e193f")]);
        yield return new("DomainLookupByUUID invalid", Target.Connect, Connect, "DomainLookupByUUID", [S("bogus")], SameMessage: true);
        yield return new("DomainLookupByID", Target.Connect, Connect, "DomainLookupByID", [I(1)]);
        yield return new("DomainLookupByID missing", Target.Connect, Connect, "DomainLookupByID", [I(7)]);
        yield return new("GetAllDomainStats", Target.Connect, Connect, "GetAllDomainStats", [U(1), U(0)]);
        yield return new("GetCapabilities", Target.Connect, Connect, "GetCapabilities", []);
        yield return new("NodeGetFreeMemory", Target.Connect, Connect, "NodeGetFreeMemory", []);
        yield return new("NodeGetCPUStats", Target.Connect, Connect, "NodeGetCPUStats", [I(0), U(0)]);
        yield return new("NodeGetCPUStats all", Target.Connect, Connect, "NodeGetCPUStats", [I(-1), U(0)]);
        yield return new("NodeGetCPUStats bad flags", Target.Connect, Connect, "NodeGetCPUStats", [I(0), U(1)]);
        yield return new("NodeGetCPUMap", Target.Connect, Connect, "NodeGetCPUMap", [U(0)]);
        yield return new("GetCPUModelNames", Target.Connect, Connect, "GetCPUModelNames", [S("x86_64"), U(0)]);
        yield return new("GetCPUModelNames unknown arch", Target.Connect, Connect, "GetCPUModelNames", [S("x86"), U(0)], SameMessage: true);
        yield return new("GetCPUModelNames arch without a CPU driver", Target.Connect, Connect, "GetCPUModelNames", [S("riscv64"), U(0)], SameMessage: true);
        yield return new("ListSecrets unsupported", Target.Connect, Connect, "ListSecrets", [U(0)], SameMessage: true);
        yield return new("Connect unknown method", Target.Connect, Connect, "NoSuch", [], SameMessage: true);
        yield return new("Connect unknown interface", Target.Connect, "org.foo.Bar", "Nope", [], SameMessage: true);
        yield return new("GetState", Target.Domain, Domain, "GetState", [U(0)]);
        yield return new("GetState bad flags", Target.Domain, Domain, "GetState", [U(1)]);
        yield return new("GetXMLDesc", Target.Domain, Domain, "GetXMLDesc", [U(0)]);
        yield return new("GetXMLDesc bad flags", Target.Domain, Domain, "GetXMLDesc", [U(64)]);
        yield return new("GetStats state", Target.Domain, Domain, "GetStats", [U(1), U(0)]);
        yield return new("GetVcpus", Target.Domain, Domain, "GetVcpus", [U(0)]);
        yield return new("GetControlInfo", Target.Domain, Domain, "GetControlInfo", [U(0)]);
        yield return new("Create while running", Target.Domain, Domain, "Create", [U(0)]);
        yield return new("Rename while running", Target.Domain, Domain, "Rename", [S("x"), U(0)], SameMessage: true);
        yield return new("OpenGraphicsFD unsupported", Target.Domain, Domain, "OpenGraphicsFD", [U(0), U(0)], SameMessage: true);
        yield return new("Domain unknown method", Target.Domain, Domain, "NoSuch", [], SameMessage: true);
        yield return new("Domain wrong signature", Target.Domain, Domain, "GetState", [S("x")], SameMessage: true);
        yield return new("Domain unknown interface", Target.Domain, "org.foo.Bar", "Nope", [], SameMessage: true);
        yield return new("Missing domain method", Target.MissingDomain, Domain, "GetXMLDesc", [U(0)]);
        yield return new("Missing domain unsupported method", Target.MissingDomain, Domain, "OpenGraphicsFD", [U(0), U(0)]);
        yield return new("Bogus domain path", Target.BogusDomain, Domain, "GetXMLDesc", [U(0)], SameMessage: true);
        yield return new("Domain subtree root", Target.DomainRoot, Domain, "GetXMLDesc", [U(0)], SameMessage: true);
        yield return new("Below a domain", Target.DeepDomain, Domain, "GetXMLDesc", [U(0)], SameMessage: true);
        yield return new("Unknown object", Target.Nope, Connect, "ListDomains", [U(0)], SameMessage: true);
        yield return new("Peer.Ping on a domain", Target.Domain, "org.freedesktop.DBus.Peer", "Ping", []);
    }

    [SetUp]
    public async Task StartPeerAsync()
    {
        ReferencePeer.Require();
        _peerBus = PrivateBus.Start();
        _peerClient = await BusClient.ConnectAsync(_peerBus.Address);
        _peer = await ReferencePeer.StartAsync(_peerBus.Address);
    }

    [TearDown]
    public async Task StopPeerAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
        if (_peerClient is not null)
        {
            _peerClient.Dispose();
        }
        _peerBus?.Dispose();
    }

    [TestCaseSource(nameof(Probes))]
    public async Task Call_SameAsLibvirtDBus_SameShape(Probe probe)
    {
        (string peerShape, string? peerMessage) = await ReplyShape.CallAsync(_peerClient!, PathFor(probe.Target, ReferencePeer.ConnectPath), probe.Interface, probe.Member, probe.Args);
        (string ourShape, string? ourMessage) = await ReplyShape.CallAsync(Client, PathFor(probe.Target, LibvirtPaths.Connect), probe.Interface, probe.Member, probe.Args);
        Assert.That(ourShape, Is.EqualTo(peerShape), $"libvirt-dbus said: {peerMessage}; kvmd said: {ourMessage}");
        if (probe.SameMessage)
        {
            Assert.That(ourMessage, Is.EqualTo(peerMessage?.Replace(ReferencePeer.ConnectPath, LibvirtPaths.Connect)));
        }
        if (peerMessage?.StartsWith("Domain not found", StringComparison.Ordinal) == true)
        {
            Assert.That(ourMessage, Does.StartWith("Domain not found"), "cockpit-machines tests this prefix");
        }
    }

    [Test]
    public async Task Introspect_LibvirtInterfaces_SameMembersAsLibvirtDBus()
    {
        foreach ((Target target, string name) in new[] { (Target.Connect, Connect), (Target.Domain, Domain) })
        {
            string peerXml = await IntrospectAsync(_peerClient!, PathFor(target, ReferencePeer.ConnectPath));
            string ourXml = await IntrospectAsync(Client, PathFor(target, LibvirtPaths.Connect));
            Assert.That(Members(ourXml, name), Is.EqualTo(Members(peerXml, name)), name);
            Assert.That(Members(ourXml, "org.freedesktop.DBus.Properties"), Is.EqualTo(Members(peerXml, "org.freedesktop.DBus.Properties")));
        }
    }

    private static Task<string> IntrospectAsync(DBusConnection client, string path)
    {
        using MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader("org.libvirt", path, "org.freedesktop.DBus.Introspectable", "Introspect");
        return client.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => reply.GetBodyReader().ReadString());
    }

    private static string[] Members(string xml, string interfaceName)
    {
        System.Xml.Linq.XElement node = System.Xml.Linq.XElement.Parse(xml[xml.IndexOf("<node", StringComparison.Ordinal)..]);
        return node.Elements("interface").Single(i => (string?)i.Attribute("name") == interfaceName).Elements()
            .Where(e => e.Name != "annotation")
            .Select(e => $"{e.Name} {e.Attribute("name")?.Value} {e.Attribute("type")?.Value} {e.Attribute("access")?.Value} "
                + string.Join(",", e.Elements("arg").Select(a => $"{a.Attribute("direction")?.Value}:{a.Attribute("type")?.Value}:{a.Attribute("name")?.Value}")))
            .ToArray();
    }

    private static string PathFor(Target target, string connectPath) => target switch
    {
        Target.Connect => connectPath,
        Target.Domain => connectPath + "/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f",
        Target.MissingDomain => connectPath + "/domain/_6695eb01_f6a4_8304_79aa_97f2502e1930",
        Target.BogusDomain => connectPath + "/domain/bogus",
        Target.DomainRoot => connectPath + "/domain",
        Target.DeepDomain => connectPath + "/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f/deeper",
        Target.Nope => "/org/libvirt/Nope",
    };
}
