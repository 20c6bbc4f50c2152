using System.Xml.Linq;
using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// kvmd's service on a real dbus-daemon, for what its D-Bus library (Tmds.DBus.Protocol) does below the org.libvirt
/// objects: Peer on every path, introspection of the nodes above the objects, large messages both ways, a slow
/// call beside quick ones, and the loss of the bus. (What the bus tests of our former D-Bus library checked, now of kvmd.)
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class BusBehaviourTests : ApiBusFixture
{
    [TestCase(LibvirtPaths.Connect)]
    [TestCase("/org/libvirt/QEMU/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f")]
    [TestCase("/")]
    [TestCase("/no/such/object")]
    public void PeerPing_AnyPath_DBusSendGetsAnEmptyReply(string path)
    {
        ExternalTool.Require(ExternalTool.DBusSend, "dbus-bin");
        (int exit, string stdout, string stderr) = ExternalTool.Run(Bus.Address, ExternalTool.DBusSend, "--session", "--print-reply", "--dest=org.libvirt",
            path, "org.freedesktop.DBus.Peer.Ping");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith("method return"));
    }

    [Test]
    public void PeerGetMachineId_Gdbus_ThirtyTwoHexDigits()
    {
        ExternalTool.Require(ExternalTool.GDBus, "libglib2.0-bin");
        (int exit, string stdout, string stderr) = ExternalTool.Run(Bus.Address, ExternalTool.GDBus, "call", "--session", "--dest", "org.libvirt",
            "--object-path", TestDomainPath, "--method", "org.freedesktop.DBus.Peer.GetMachineId");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout.Trim(), Does.Match("^\\('[0-9a-f]{32}',\\)$"));
    }

    [TestCase("/", "org")]
    [TestCase("/org", "libvirt")]
    [TestCase("/org/libvirt", "QEMU")]
    [TestCase("/org/libvirt/QEMU", "domain")]
    [TestCase("/org/libvirt/QEMU/domain", "_6695eb01_f6a4_8304_79aa_97f2502e193f")]
    public async Task Introspect_NodesDownToTheDomains_ListTheirChildren(string path, string child)
    {
        string xml = await IntrospectAsync(Client, path);
        XElement node = XElement.Parse(xml[xml.IndexOf("<node", StringComparison.Ordinal)..]);
        Assert.That(node.Elements("node").Select(n => (string?)n.Attribute("name")), Is.EqualTo(new[] { child }));
    }

    [Test]
    public async Task LookupByName_FourMegabyteName_ErrorCarriesItBack()
    {
        string name = new('n', 4 << 20);
        (string shape, string? message) = await ReplyShape.CallAsync(Client, LibvirtPaths.Connect, "org.libvirt.Connect", "DomainLookupByName", Arg.String(name));
        Assert.That(shape, Is.EqualTo("error org.libvirt.Error"));
        Assert.That(message, Is.EqualTo($"Domain not found: no domain with matching name '{name}'"));
    }

    [Test]
    public async Task LookupByName_OverLibvirtsStringLimit_RefusedWithoutEchoingIt()
    {
        string name = new('n', (4 << 20) + 1);
        (string shape, string? message) = await ReplyShape.CallAsync(Client, LibvirtPaths.Connect, "org.libvirt.Connect", "DomainLookupByName", Arg.String(name));
        Assert.That(shape, Is.EqualTo("error org.libvirt.Error"));
        Assert.That(message, Is.EqualTo("invalid argument: domain name is 4194305 bytes long, more than libvirt's string limit of 4194304"));
    }

    [Test]
    public async Task DefineXML_OverTheTenMegabyteLimit_RefusedWithTheLimit()
    {
        string xml = "<domain type='kvm'><name>big</name><description>" + new string('x', 11 << 20) + "</description></domain>";
        (string shape, string? message) = await ReplyShape.CallAsync(Client, LibvirtPaths.Connect, "org.libvirt.Connect", "DomainDefineXML", Arg.String(xml));
        Assert.That(shape, Is.EqualTo("error org.libvirt.Error"));
        Assert.That(message, Is.EqualTo("XML error: document is more than 10485760 bytes long, the limit"));
    }

    [Test]
    public async Task SlowSuspend_LookupsMeanwhile_AnsweredAtOnce()
    {
        var hold = new TaskCompletionSource();
        Manager.SuspendHold = hold.Task;
        Task<(string, string?)> suspend = ReplyShape.CallAsync(Client, TestDomainPath, "org.libvirt.Domain", "Suspend");
        for (int i = 0; i < 20; i++)
        {
            (string shape, _) = await ReplyShape.CallAsync(Client, LibvirtPaths.Connect, "org.libvirt.Connect", "DomainLookupByName", Arg.String("test"));
            Assert.That(shape, Is.EqualTo("return o o"));
        }
        Assert.That(suspend.IsCompleted, Is.False);
        hold.SetResult();
        Assert.That((await suspend).Item1, Is.EqualTo("return"));
    }

    private static Task<string> IntrospectAsync(DBusConnection client, string path)
    {
        using MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader("org.libvirt", path, "org.freedesktop.DBus.Introspectable", "Introspect");
        return client.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => reply.GetBodyReader().ReadString());
    }
}
