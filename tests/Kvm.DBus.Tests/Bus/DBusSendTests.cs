using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Bus;

/// <summary>dbus-send (Debian package dbus-bin) against our service, and its signals into our client.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class DBusSendTests : BusFixture
{
    [SetUp]
    public void RequireTool() => ExternalTool.Require(ExternalTool.DBusSend, "dbus-bin (pulled in by dbus)");

    private string[] Args(params string[] rest) =>
        ["--bus=" + Daemon.Address, "--print-reply", "--dest=" + ServiceName, .. rest];

    [Test]
    public void MethodCall_Echo_PrintsReply() =>
        Assert.That(ExternalTool.Check(ExternalTool.DBusSend, Args(ObjectPath, "org.kvm.Test.Echo", "string:hello dbus-send")),
            Does.Contain("string \"hello dbus-send\""));

    [Test]
    public void MethodCall_AddOnSubtreeChild_PrintsSum() =>
        Assert.That(ExternalTool.Check(ExternalTool.DBusSend, Args(ObjectPath + "/domain/_2", "org.kvm.Test.Add", "int32:40", "int32:2")),
            Does.Contain("int32 42"));

    [Test]
    public void Introspect_PrintsXml() =>
        Assert.That(ExternalTool.Check(ExternalTool.DBusSend, Args(ObjectPath, "org.freedesktop.DBus.Introspectable.Introspect")),
            Does.Contain("<interface name=\"org.kvm.Test\">").And.Contain("<node name=\"domain\" />"));

    [Test]
    public void Properties_GetAndGetAll()
    {
        Assert.That(ExternalTool.Check(ExternalTool.DBusSend, Args(ObjectPath + "/domain/_1", "org.freedesktop.DBus.Properties.Get", "string:org.kvm.Test", "string:Label")),
            Does.Match("variant\\s+string \"initial\""));
        Assert.That(ExternalTool.Check(ExternalTool.DBusSend, Args(ObjectPath + "/domain/_1", "org.freedesktop.DBus.Properties.GetAll", "string:org.kvm.Test")),
            Does.Contain("string \"Label\"").And.Contain("string \"Count\""));
    }

    [Test]
    public void WrongSignature_InvalidArgsError()
    {
        (int exit, _, string stderr) = ExternalTool.Run(ExternalTool.DBusSend, Args(ObjectPath, "org.kvm.Test.Echo", "uint32:1"));
        Assert.That(exit, Is.Not.EqualTo(0));
        Assert.That(stderr, Does.Contain("Error org.freedesktop.DBus.Error.InvalidArgs"));
    }

    [Test]
    public async Task Signal_SentByDBusSend_ReachesOurClient()
    {
        var received = new TaskCompletionSource<(string Sender, string Text)>();
        await using IAsyncDisposable watch = await Client.WatchSignalAsync(new MatchRule { Interface = "org.kvm.External", Member = "Hello" },
            m => received.TrySetResult((m.Sender!, m.GetBodyReader().ReadString())));
        ExternalTool.Check(ExternalTool.DBusSend, "--bus=" + Daemon.Address, "--type=signal", "/org/kvm/external", "org.kvm.External.Hello", "string:from dbus-send");
        (string sender, string text) = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(text, Is.EqualTo("from dbus-send"));
        Assert.That(sender, Does.StartWith(":1."));
    }
}
