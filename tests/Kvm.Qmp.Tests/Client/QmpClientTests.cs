using System.Text.Json.Nodes;
using Kvm.Qmp.Client;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Client;

[CancelAfter(30_000)]
public sealed class QmpClientTests
{
    [Test]
    public async Task ConnectAsync_SocketAppearsLater_RetriesThenNegotiates()
    {
        string directory = Path.Combine(Path.GetTempPath(), "qmp-client-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "late.sock");
        Task<QmpClient> connecting = QmpClient.ConnectAsync(path, new QmpClientOptions { ConnectTimeout = TimeSpan.FromSeconds(10) });
        await Task.Delay(300);
        Assert.That(connecting.IsCompleted, Is.False);

        var events = new QmpEventHub();
        await using var server = new QmpServer(new QmpNoneMachine(events), events);
        server.AddMonitor($"unix:{path},server");
        await using QmpClient client = await connecting;
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "socket is 0600");
        Assert.That(client.ServerVersion, Is.EqualTo(new QmpVersionInfo(new QmpVersionTriple(7, 2, 0), "kvm-vmm")));
        Assert.That(client.ServerCapabilities, Is.EqualTo(new[] { "oob" }));
        QmpStatusInfo status = await client.ExecuteAsync("query-status", null, QmpJsonContext.Default.QmpStatusInfo);
        Assert.That(status, Is.EqualTo(new QmpStatusInfo(QmpRunState.Running, false, true)));
    }

    [Test]
    public void ConnectAsync_NoServer_FailsAfterTimeLimit()
    {
        string path = Path.Combine(Path.GetTempPath(), "qmp-none-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        Assert.That(
            async () => await QmpClient.ConnectAsync(path, new QmpClientOptions { ConnectTimeout = TimeSpan.FromMilliseconds(400) }),
            Throws.TypeOf<QmpConnectionException>());
    }

    [Test]
    public async Task ExecuteAsync_CommandFails_ThrowsQmpExceptionWithClass()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        QmpException error = (await Assert.ThrowsAsync<QmpException>(async () =>
            await client.ExecuteAsync("device_del", new JsonObject { ["id"] = "nope" })))!;
        Assert.That(error.ErrorClass, Is.EqualTo(QmpErrorClass.DeviceNotFound));
        Assert.That(error.Message, Is.EqualTo("Device 'nope' not found"));
    }

    [Test]
    public async Task Events_StopAndCont_ArriveOnStreamBeforeReplyCompletes()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        await client.ExecuteAsync("stop");
        await client.ExecuteAsync("cont");
        var names = new List<string>();
        await foreach (QmpEventMessage e in client.Events)
        {
            names.Add(e.Name);
            Assert.That(e.Timestamp, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1)));
            if (names.Count == 2)
            {
                break;
            }
        }

        Assert.That(names, Is.EqualTo(new[] { "STOP", "RESUME" }));
    }

    [Test]
    public async Task ExecuteAsync_NoReplyInTime_ThrowsTimeout()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        Assert.That(async () => await client.ExecuteAsync("x-block", timeout: TimeSpan.FromMilliseconds(200)), Throws.TypeOf<TimeoutException>());
    }

    [Test]
    public async Task Completion_ServerGoesAway_ReportsLostConnectionAndFailsPending()
    {
        ServerFixture fixture = ServerFixture.Start();
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        Task<JsonNode?> pending = client.ExecuteAsync("x-block");
        await Task.Delay(100);
        await fixture.DisposeAsync();
        Assert.That(async () => await client.Completion, Throws.TypeOf<QmpConnectionException>());
        Assert.That(async () => await pending, Throws.TypeOf<QmpConnectionException>());
    }

    [Test]
    public async Task Completion_PeerSendsInvalidQmp_ReportsConnectionFailure()
    {
        string path = Path.Combine(Path.GetTempPath(), "qmp-bad-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        Task serve = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await peer.SendAsync("{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}, \"package\": \"\"}, \"capabilities\": []}}\r\n"u8.ToArray());
            byte[] buffer = new byte[4096];
            await peer.ReceiveAsync(buffer);
            await peer.SendAsync("{\"return\": {}, \"id\": \"kvmd-1\"}\r\n{\"event\": 42, \"timestamp\": {}}\r\n"u8.ToArray());
            await Task.Delay(2000);
        });

        await using QmpClient client = await QmpClient.ConnectAsync(path);
        Assert.That(async () => await client.Completion, Throws.TypeOf<QmpConnectionException>());
        File.Delete(path);
    }
}
