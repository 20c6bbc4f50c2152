using System.Diagnostics;
using Kvm.DBus.Protocol;
using Kvm.DBus.Service;
using Kvm.DBus.Transport;

namespace Kvm.DBus.Tests;

/// <summary>Two connections paired in memory: calls, errors, timeouts, concurrency, signals and loss of the connection.</summary>
[TestFixture]
[CancelAfter(30000)]
public sealed class DBusConnectionTests
{
    private DBusConnection _client = null!;
    private DBusConnection _server = null!;
    private TestInterface _test = null!;

    [SetUp]
    public void SetUp()
    {
        (InMemoryMessageStream a, InMemoryMessageStream b) = InMemoryMessageStream.CreatePair();
        _client = new DBusConnection(a);
        _server = new DBusConnection(b);
        _test = new TestInterface();
        _server.AddMethodHandler(new ObjectHandler("/org/kvm/test", _test));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task CallMethodAsync_Echo_RepliesWithArgument() =>
        Assert.That(await Calls.EchoAsync(_client, null, "/org/kvm/test", "héllo"), Is.EqualTo("héllo"));

    [Test]
    public async Task CallMethodAsync_ErrorReply_ThrowsWithNameAndMessage()
    {
        DBusErrorReplyException e = await ThrowsErrorAsync(() => Calls.CallAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Fail"));
        Assert.That((e.ErrorName, e.ErrorMessage), Is.EqualTo(("org.kvm.Error.Failed", "Failed on purpose")));
    }

    [TestCase("/org/kvm/none", TestInterface.Name, "Echo", "s", DBusErrorNames.UnknownObject)]
    [TestCase("/org/kvm/test", "org.kvm.Nope", "Echo", "s", DBusErrorNames.UnknownInterface)]
    [TestCase("/org/kvm/test", TestInterface.Name, "Nope", "s", DBusErrorNames.UnknownMethod)]
    [TestCase("/org/kvm/test", TestInterface.Name, "Echo", "u", DBusErrorNames.InvalidArgs)]
    [TestCase("/org/kvm/test", null, "Nope", "", DBusErrorNames.UnknownMethod)]
    public async Task CallMethodAsync_Unknown_StandardErrorName(string path, string? iface, string member, string signature, string expected)
    {
        DBusErrorReplyException e = await ThrowsErrorAsync(() => Calls.CallAsync(_client, null, path, iface, member,
            signature.Length == 0 ? null : signature, signature == "s" ? "x" : null, signature == "u" ? 1u : null));
        Assert.That(e.ErrorName, Is.EqualTo(expected));
    }

    [Test]
    public async Task CallMethodAsync_NoInterface_FindsMemberByName() =>
        Assert.That((await Calls.CallAsync(_client, null, "/org/kvm/test", null, "Echo", "s", "x")).GetBodyReader().ReadString(), Is.EqualTo("x"));

    [Test]
    public async Task CallMethodAsync_SlowHandler_TimesOutWithNoReply()
    {
        var stopwatch = Stopwatch.StartNew();
        DBusErrorReplyException e = await ThrowsErrorAsync(() =>
            Calls.CallAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Sleep", "u", uintArg: 2000, timeout: TimeSpan.FromMilliseconds(100)));
        Assert.That(e.ErrorName, Is.EqualTo(DBusErrorNames.NoReply));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1.5)));
    }

    [Test]
    public async Task CallMethodAsync_SlowAndFastConcurrently_FastRepliesFirst()
    {
        var order = new List<string>();
        Task slow = Calls.CallAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Sleep", "u", uintArg: 500)
            .ContinueWith(_ => { lock (order) { order.Add("slow"); } });
        await Task.Delay(50);
        await Calls.EchoAsync(_client, null, "/org/kvm/test", "fast");
        lock (order) { order.Add("fast"); }
        await slow;
        Assert.That(order, Is.EqualTo(new[] { "fast", "slow" }));
    }

    [Test]
    public async Task CallMethodAsync_ManyConcurrent_AllRepliesMatched()
    {
        Task<string>[] calls = Enumerable.Range(0, 200).Select(i => Calls.EchoAsync(_client, null, "/org/kvm/test", $"n{i}")).ToArray();
        string[] replies = await Task.WhenAll(calls);
        Assert.That(replies, Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"n{i}").ToArray()));
    }

    [Test]
    public async Task Signal_EmittedByService_ReachesMatchingHandler()
    {
        var received = new TaskCompletionSource<string>();
        using IDisposable handler = _client.AddSignalHandler(new MatchRule { Interface = TestInterface.Name, Member = "Ping" },
            m => received.TrySetResult(m.GetBodyReader().ReadString()));
        using IDisposable other = _client.AddSignalHandler(new MatchRule { Interface = TestInterface.Name, Member = "Other" },
            _ => received.TrySetResult("wrong handler"));
        using Message reply = await Calls.CallAsync(_client, null, "/org/kvm/test", TestInterface.Name, "EmitPing", "s", "ping!");
        Assert.That(await received.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("ping!"));
    }

    [Test]
    public async Task Properties_GetSetGetAll_AndPropertiesChanged()
    {
        var changed = new TaskCompletionSource<string>();
        using IDisposable handler = _client.AddSignalHandler(new MatchRule { Interface = "org.freedesktop.DBus.Properties", Member = "PropertiesChanged" },
            m => changed.TrySetResult(m.GetBodyReader().ReadValues("sa{sv}as"u8)[1].ToString()));
        Assert.That(await Calls.GetPropertyAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Label"), Is.EqualTo(DBusValue.String("initial")));
        await Calls.SetPropertyAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Label", DBusValue.String("renamed"));
        Assert.That(await Calls.GetPropertyAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Label"), Is.EqualTo(DBusValue.String("renamed")));
        Assert.That(await changed.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("a{sv}[{sv}[s:\"Label\", v[s:\"renamed\"]]]"));

        using Message all = await Calls.CallAsync(_client, null, "/org/kvm/test", "org.freedesktop.DBus.Properties", "GetAll", "s", TestInterface.Name);
        string dict = all.GetBodyReader().ReadValues("a{sv}"u8)[0].ToString();
        Assert.That(dict, Does.Contain("s:\"Label\", v[s:\"renamed\"]").And.Contain("s:\"Count\", v[u:"));
    }

    [TestCase("Count", DBusErrorNames.PropertyReadOnly)]
    [TestCase("Missing", DBusErrorNames.UnknownProperty)]
    public async Task Properties_SetInvalid_StandardErrorName(string name, string expected)
    {
        DBusErrorReplyException e = await ThrowsErrorAsync(() =>
            Calls.SetPropertyAsync(_client, null, "/org/kvm/test", TestInterface.Name, name, DBusValue.UInt32(1)));
        Assert.That(e.ErrorName, Is.EqualTo(expected));
    }

    [Test]
    public async Task Properties_SetWrongType_InvalidArgs()
    {
        DBusErrorReplyException e = await ThrowsErrorAsync(() =>
            Calls.SetPropertyAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Label", DBusValue.UInt32(1)));
        Assert.That(e.ErrorName, Is.EqualTo(DBusErrorNames.InvalidArgs));
    }

    [Test]
    public async Task Introspect_Object_ListsInterfacesMembersAndChildren()
    {
        _server.AddMethodHandler(new ObjectHandler("/org/kvm/test/child", new TestInterface()));
        string xml = await Calls.IntrospectAsync(_client, null, "/org/kvm/test");
        Assert.That(xml, Does.StartWith("<!DOCTYPE node PUBLIC"));
        Assert.That(xml, Does.Contain("<interface name=\"org.kvm.Test\">")
            .And.Contain("<method name=\"Add\">")
            .And.Contain("<arg name=\"sum\" type=\"i\" direction=\"out\" />")
            .And.Contain("<signal name=\"Ping\">")
            .And.Contain("<property name=\"Label\" type=\"s\" access=\"readwrite\" />")
            .And.Contain("<interface name=\"org.freedesktop.DBus.Properties\">")
            .And.Contain("<node name=\"child\" />"));
        string root = await Calls.IntrospectAsync(_client, null, "/");
        Assert.That(root, Does.Contain("<node name=\"org\" />"));
    }

    [Test]
    public async Task Subtree_AnyChildPath_DispatchedAndListed()
    {
        var domains = new HashSet<string> { "_1", "_2" };
        var shared = new TestInterface();
        _server.AddMethodHandler(ObjectHandler.ForSubtree("/org/libvirt/QEMU/domain",
            path => domains.Contains(path[(path.LastIndexOf('/') + 1)..]) ? [shared] : null, () => domains));
        using Message where = await Calls.CallAsync(_client, null, "/org/libvirt/QEMU/domain/_2", TestInterface.Name, "Where");
        Assert.That(where.GetBodyReader().ReadObjectPath(), Is.EqualTo("/org/libvirt/QEMU/domain/_2"));
        DBusErrorReplyException e = await ThrowsErrorAsync(() => Calls.CallAsync(_client, null, "/org/libvirt/QEMU/domain/_3", TestInterface.Name, "Where"));
        Assert.That(e.ErrorName, Is.EqualTo(DBusErrorNames.UnknownObject));
        string xml = await Calls.IntrospectAsync(_client, null, "/org/libvirt/QEMU/domain");
        Assert.That(xml, Does.Contain("<node name=\"_1\" />").And.Contain("<node name=\"_2\" />"));
        Assert.That(await Calls.IntrospectAsync(_client, null, "/org/libvirt"), Does.Contain("<node name=\"QEMU\" />"));
    }

    [Test]
    public async Task Peer_PingAndGetMachineId_AnsweredOnAnyPath()
    {
        using Message ping = await Calls.CallAsync(_client, null, "/any/path", "org.freedesktop.DBus.Peer", "Ping");
        Assert.That(ping.Type, Is.EqualTo(MessageType.MethodReturn));
        if (MachineId.Value is null)
        {
            Assert.Ignore("No /etc/machine-id on this machine (package systemd or dbus creates it)");
        }
        using Message id = await Calls.CallAsync(_client, null, "/", "org.freedesktop.DBus.Peer", "GetMachineId");
        Assert.That(id.GetBodyReader().ReadString(), Is.EqualTo(File.ReadAllText(File.Exists("/etc/machine-id") ? "/etc/machine-id" : "/var/lib/dbus/machine-id").Trim()));
    }

    [Test]
    public async Task NoReplyExpected_HandlerRunsWithoutReply()
    {
        MessageWriter writer = _client.GetMessageWriter();
        writer.WriteMethodCallHeader(null, "/org/kvm/test", TestInterface.Name, "Echo", "s", MessageFlags.NoReplyExpected);
        writer.WriteString("quiet");
        await _client.SendMessageAsync(writer.CreateMessage());
        // The next call's reply still matches: the quiet call produced nothing unexpected.
        Assert.That(await Calls.EchoAsync(_client, null, "/org/kvm/test", "loud"), Is.EqualTo("loud"));
        DBusValue count = await Calls.GetPropertyAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Count");
        Assert.That(count, Is.EqualTo(DBusValue.UInt32(2)));
    }

    [Test]
    public async Task ConnectionLost_PendingCallFailsAndCompletionFaults()
    {
        Task<Message> pending = Calls.CallAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Sleep", "u", uintArg: 5000);
        await Task.Delay(100);
        await _server.DisposeAsync();
        Assert.That(async () => await pending, Throws.TypeOf<DBusConnectionException>());
        Assert.That(async () => await _client.Completion.WaitAsync(TimeSpan.FromSeconds(5)), Throws.TypeOf<DBusConnectionException>());
        Assert.That(async () => await Calls.EchoAsync(_client, null, "/org/kvm/test", "late"), Throws.TypeOf<DBusConnectionException>());
    }

    [Test]
    public async Task HandlerThrows_FailedErrorWithItsMessage()
    {
        DBusErrorReplyException e = await ThrowsErrorAsync(() => Calls.CallAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Throw"));
        Assert.That((e.ErrorName, e.ErrorMessage), Is.EqualTo((DBusErrorNames.Failed, "Handler bug")));
    }

    [Test]
    public async Task HandlerThrowsErrorReply_ThatErrorSent()
    {
        DBusErrorReplyException e = await ThrowsErrorAsync(() => Calls.CallAsync(_client, null, "/org/kvm/test", TestInterface.Name, "Refuse"));
        Assert.That((e.ErrorName, e.ErrorMessage), Is.EqualTo(("org.libvirt.Error.OperationInvalid", "domain is not running")));
    }

    [Test]
    public async Task TruncatedArguments_InvalidArgs()
    {
        MessageWriter writer = _client.GetMessageWriter();
        writer.WriteMethodCallHeader(null, "/org/kvm/test", TestInterface.Name, "Echo", "s");
        writer.WriteUInt32(100); // a string length with no string behind it
        MessageBuffer call = writer.CreateMessageUnchecked();
        DBusErrorReplyException e = await ThrowsErrorAsync(() => _client.CallMethodAsync(call));
        Assert.That(e.ErrorName, Is.EqualTo(DBusErrorNames.InvalidArgs), e.ErrorMessage);
        Assert.That(e.ErrorMessage, Does.Contain("String length beyond the end of the data"));
    }

    [Test]
    public async Task BigEndianCall_Answered()
    {
        var writer = new MessageWriter(bigEndian: true);
        writer.WriteMethodCallHeader(null, "/org/kvm/test", TestInterface.Name, "Add", "ii");
        writer.WriteInt32(-5);
        writer.WriteInt32(47);
        using Message reply = await _client.CallMethodAsync(writer.CreateMessage());
        Assert.That(reply.GetBodyReader().ReadInt32(), Is.EqualTo(42));
    }

    [Test]
    public async Task DisposeAsync_Clean_CompletionSucceeds()
    {
        await _client.DisposeAsync();
        Assert.That(_client.Completion.IsCompletedSuccessfully, Is.True);
    }

    private static async Task<DBusErrorReplyException> ThrowsErrorAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (DBusErrorReplyException e)
        {
            return e;
        }
        Assert.Fail("Expected a D-Bus error reply");
        throw new InvalidOperationException();
    }
}
