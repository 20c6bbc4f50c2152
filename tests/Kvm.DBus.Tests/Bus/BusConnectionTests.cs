using Kvm.DBus.Protocol;
using Kvm.DBus.Service;

namespace Kvm.DBus.Tests.Bus;

/// <summary>Our client and our service through a real dbus-daemon.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(30000)]
public sealed class BusConnectionTests : BusFixture
{
    [Test]
    public void Hello_UniqueNamesAssigned()
    {
        Assert.That(Client.UniqueName, Does.StartWith(":1."));
        Assert.That(Service.UniqueName, Does.StartWith(":1.").And.Not.EqualTo(Client.UniqueName));
    }

    [Test]
    public async Task CallMethodAsync_ThroughBus_RepliesAndErrors()
    {
        Assert.That(await Calls.EchoAsync(Client, ServiceName, ObjectPath, "via the bus"), Is.EqualTo("via the bus"));
        using Message where = await Calls.CallAsync(Client, ServiceName, ObjectPath + "/domain/_1", TestInterface.Name, "Where");
        Assert.That(where.GetBodyReader().ReadObjectPath(), Is.EqualTo(ObjectPath + "/domain/_1"));
        var e = await Assert.ThrowsAsync<DBusErrorReplyException>(() => Calls.CallAsync(Client, ServiceName, ObjectPath, TestInterface.Name, "Nope"));
        Assert.That(e!.ErrorName, Is.EqualTo(DBusErrorNames.UnknownMethod));
        var unknown = await Assert.ThrowsAsync<DBusErrorReplyException>(() => Calls.EchoAsync(Client, "org.kvm.NobodyHere", ObjectPath, "x"));
        Assert.That(unknown!.ErrorName, Is.EqualTo(DBusErrorNames.ServiceUnknown));
    }

    [Test]
    public async Task AbstractAddress_Connects()
    {
        await using DBusConnection connection = await DBusConnection.ConnectAsync(Daemon.AbstractAddress);
        Assert.That(await Calls.EchoAsync(connection, ServiceName, ObjectPath, "abstract"), Is.EqualTo("abstract"));
    }

    [Test]
    public async Task ConnectAsync_FirstAlternativeMissing_UsesNext()
    {
        string address = "unix:path=/nonexistent/kvm-dbus;" + Daemon.Address;
        await using DBusConnection connection = await DBusConnection.ConnectAsync(address);
        Assert.That(connection.UniqueName, Does.StartWith(":"));
    }

    [Test]
    public async Task ConnectAsync_NothingListening_ClearError()
    {
        var e = await Assert.ThrowsAsync<DBusConnectionException>(() => DBusConnection.ConnectAsync("unix:path=/nonexistent/kvm-dbus"));
        Assert.That(e!.Message, Does.Contain("/nonexistent/kvm-dbus"));
    }

    [Test]
    public async Task RequestName_FourResults_ReleaseName_AndOwnerSignals()
    {
        const string name = "org.kvm.Contested";
        await using DBusConnection first = await DBusConnection.ConnectAsync(Daemon.Address);
        await using DBusConnection second = await DBusConnection.ConnectAsync(Daemon.Address);
        var owners = new List<(string Old, string New)>();
        var lost = new TaskCompletionSource<string>();
        first.NameLost += n => lost.TrySetResult(n);
        await using IAsyncDisposable watch = await Client.WatchNameOwnerChangedAsync(name, (_, oldOwner, newOwner) =>
        {
            lock (owners) { owners.Add((oldOwner, newOwner)); }
        });

        Assert.That(await first.RequestNameAsync(name, RequestNameFlags.AllowReplacement), Is.EqualTo(RequestNameReply.PrimaryOwner));
        // Asking again updates the owner's flags in dbus-daemon, so keep AllowReplacement.
        Assert.That(await first.RequestNameAsync(name, RequestNameFlags.AllowReplacement), Is.EqualTo(RequestNameReply.AlreadyOwner));
        Assert.That(await second.RequestNameAsync(name, RequestNameFlags.DoNotQueue), Is.EqualTo(RequestNameReply.Exists));
        Assert.That(await second.RequestNameAsync(name), Is.EqualTo(RequestNameReply.InQueue));
        Assert.That(await second.RequestNameAsync(name, RequestNameFlags.ReplaceExisting), Is.EqualTo(RequestNameReply.PrimaryOwner));
        Assert.That(await lost.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(name));
        Assert.That(await second.ReleaseNameAsync(name), Is.EqualTo(ReleaseNameReply.Released));
        Assert.That(await second.ReleaseNameAsync(name), Is.EqualTo(ReleaseNameReply.NotOwner).Or.EqualTo(ReleaseNameReply.NonExistent));
        Assert.That(await second.ReleaseNameAsync("org.kvm.NeverOwned"), Is.EqualTo(ReleaseNameReply.NonExistent));

        await WaitUntilAsync(() => { lock (owners) { return owners.Count >= 2; } });
        lock (owners)
        {
            Assert.That(owners[0], Is.EqualTo(("", first.UniqueName!)));
            Assert.That(owners[1], Is.EqualTo((first.UniqueName!, second.UniqueName!)));
        }
    }

    [Test]
    public async Task Signal_ViaAddMatch_Received_AndRemoveMatchStops()
    {
        var received = new List<string>();
        IAsyncDisposable watch = await Client.WatchSignalAsync(new MatchRule { Interface = TestInterface.Name, Member = "Ping", Path = ObjectPath },
            m => { lock (received) { received.Add(m.GetBodyReader().ReadString()); } });
        using (await Calls.CallAsync(Client, ServiceName, ObjectPath, TestInterface.Name, "EmitPing", "s", "one"))
        {
        }
        await WaitUntilAsync(() => { lock (received) { return received.Count == 1; } });
        await watch.DisposeAsync();
        using (await Calls.CallAsync(Client, ServiceName, ObjectPath, TestInterface.Name, "EmitPing", "s", "two"))
        {
        }
        await Task.Delay(200);
        lock (received)
        {
            Assert.That(received, Is.EqualTo(new[] { "one" }));
        }
    }

    [Test]
    public async Task UnixFd_PassedThroughBus_ServiceReadsIt()
    {
        Assert.That(Client.SupportsUnixFds, Is.True, "dbus-daemon agrees to NEGOTIATE_UNIX_FD");
        string file = Path.Combine(Path.GetTempPath(), $"kvm-dbus-fd-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "through SCM_RIGHTS");
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(file);
            MessageWriter writer = Client.GetMessageWriter();
            writer.WriteMethodCallHeader(ServiceName, ObjectPath, TestInterface.Name, "ReadFd", "h");
            writer.WriteHandle(handle);
            using Message reply = await Client.CallMethodAsync(writer.CreateMessage());
            Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("through SCM_RIGHTS"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task UnixFd_ReturnedByService_ClientReadsIt()
    {
        string file = Path.Combine(Path.GetTempPath(), $"kvm-dbus-fd-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "descriptor in a reply");
        try
        {
            using Message reply = await Calls.CallAsync(Client, ServiceName, ObjectPath, TestInterface.Name, "OpenFile", "s", file);
            Assert.That(reply.UnixFdCount, Is.EqualTo(1));
            using Microsoft.Win32.SafeHandles.SafeFileHandle? handle = reply.TakeHandle(reply.GetBodyReader().ReadHandleIndex());
            using var reader = new StreamReader(new FileStream(handle!, FileAccess.Read));
            Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("descriptor in a reply"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task SlowHandler_DoesNotBlockOtherCallsThroughBus()
    {
        Task<Message> slow = Calls.CallAsync(Client, ServiceName, ObjectPath, TestInterface.Name, "Sleep", "u", uintArg: 1000);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
        {
            await Calls.EchoAsync(Client, ServiceName, ObjectPath, "meanwhile");
        }
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(900)));
        Assert.That(slow.IsCompleted, Is.False);
        (await slow).Dispose();
    }

    [Test]
    public async Task LargeMessage_FourMegabytes_RoundTrips()
    {
        string big = new('x', 4 * 1024 * 1024);
        Assert.That(await Calls.EchoAsync(Client, ServiceName, ObjectPath, big), Has.Length.EqualTo(big.Length));
    }

    [Test]
    public async Task Introspect_Subtree_ChildrenListed()
    {
        string xml = await Calls.IntrospectAsync(Client, ServiceName, ObjectPath);
        Assert.That(xml, Does.Contain("<node name=\"domain\" />"));
        Assert.That(await Calls.IntrospectAsync(Client, ServiceName, ObjectPath + "/domain"), Does.Contain("<node name=\"_2\" />"));
    }

    [Test]
    public async Task DaemonKilled_ConnectionReportsLoss()
    {
        using DBusDaemon daemon = DBusDaemon.Start();
        DBusConnection connection = await DBusConnection.ConnectAsync(daemon.Address);
        System.Diagnostics.Process.GetProcessById(daemon.Pid).Kill();
        Assert.That(async () => await connection.Completion.WaitAsync(TimeSpan.FromSeconds(10)), Throws.TypeOf<DBusConnectionException>());
        await connection.DisposeAsync();
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.That(condition(), Is.True, "condition within 5 s");
    }
}
