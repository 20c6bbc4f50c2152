using System.Net;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;

namespace Kvm.Qmp.Tests.Support;

/// <summary>A running server (test machine, test commands) with one Unix-socket monitor in a temporary directory.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private readonly string _directory;

    private ServerFixture(string directory, QmpServer server, TestMachine machine, SemaphoreSlim blocker)
    {
        _directory = directory;
        Server = server;
        Machine = machine;
        Blocker = blocker;
    }

    public QmpServer Server { get; }

    public TestMachine Machine { get; }

    public SemaphoreSlim Blocker { get; }

    public string SocketPath => Path.Combine(_directory, "qmp.sock");

    public EndPoint EndPoint => Server.Monitors[0].LocalEndPoint;

    public static ServerFixture Start(QmpServerOptions? options = null, int monitors = 1, Func<QmpEventHub, TestMachine>? machineFactory = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "qmp-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var events = new QmpEventHub();
        TestMachine machine = machineFactory?.Invoke(events) ?? new TestMachine(events);
        var blocker = new SemaphoreSlim(0);
        var server = new QmpServer(machine, events, TestCommands.CreateRegistry(blocker), options ?? new QmpServerOptions
        {
            Version = new QmpVersionInfo(new QmpVersionTriple(7, 2, 22), "Debian 1:7.2+dfsg-7+deb12u18+b3"),
        });
        server.AddMonitor($"unix:{Path.Combine(directory, "qmp.sock")},server");
        for (int i = 1; i < monitors; i++)
        {
            server.AddMonitor($"unix:{Path.Combine(directory, $"qmp{i}.sock")},server");
        }

        return new ServerFixture(directory, server, machine, blocker);
    }

    public async Task<RawQmpConnection> ConnectAsync(int monitor = 0)
    {
        return await RawQmpConnection.ConnectAsync(Server.Monitors[monitor].LocalEndPoint);
    }

    /// <summary>Connects, reads the greeting and negotiates.</summary>
    public async Task<RawQmpConnection> ConnectNegotiatedAsync(int monitor = 0)
    {
        RawQmpConnection connection = await ConnectAsync(monitor);
        Assert.That(await connection.ReadAsync(), Does.StartWith("{\"QMP\": "));
        await connection.SendAsync("{\"execute\": \"qmp_capabilities\"}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {}}"));
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
