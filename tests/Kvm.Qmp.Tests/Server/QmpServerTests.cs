using System.Diagnostics;
using System.Net;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Server;

[CancelAfter(30_000)]
public sealed class QmpServerTests
{
    [Test]
    public async Task Connect_SecondClientWhileFirstConnected_WaitsThenNegotiatesAfresh()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        RawQmpConnection first = await fixture.ConnectNegotiatedAsync();
        using RawQmpConnection second = await fixture.ConnectAsync();
        Assert.That(await second.ReadAsync(TimeSpan.FromMilliseconds(500)), Is.Null, "no greeting while the monitor is busy");

        first.Dispose();
        Assert.That(await second.ReadAsync(), Does.StartWith("{\"QMP\": {\"version\": "));
        await second.SendAsync("{\"execute\": \"query-status\", \"id\": \"B1\"}");
        Assert.That(await second.ReadAsync(), Is.EqualTo("{\"id\": \"B1\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with 'qmp_capabilities'\"}}"));
    }

    [Test]
    public async Task Stop_TwoMonitors_EventBeforeReplyAndOnlyToNegotiated()
    {
        await using ServerFixture fixture = ServerFixture.Start(monitors: 2);
        using RawQmpConnection a = await fixture.ConnectNegotiatedAsync(0);
        using RawQmpConnection c = await fixture.ConnectAsync(1);
        Assert.That(await c.ReadAsync(), Does.StartWith("{\"QMP\""));

        await a.SendAsync("{\"execute\": \"stop\", \"id\": \"A2\"}");
        Assert.That(await a.ReadAsync(), Does.Match("^\\{\"timestamp\": \\{\"seconds\": \\d+, \"microseconds\": \\d+\\}, \"event\": \"STOP\"\\}$"));
        Assert.That(await a.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": \"A2\"}"));
        Assert.That(await c.ReadAsync(TimeSpan.FromMilliseconds(300)), Is.Null, "un-negotiated monitor gets no events");

        await c.SendAsync("{\"execute\": \"qmp_capabilities\", \"id\": \"C1\"}");
        Assert.That(await c.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": \"C1\"}"));
        await a.SendAsync("{\"execute\": \"cont\", \"id\": \"A3\"}");
        string? eventA = await a.ReadAsync();
        Assert.That(eventA, Does.EndWith("\"event\": \"RESUME\"}"));
        Assert.That(await a.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": \"A3\"}"));
        Assert.That(await c.ReadAsync(), Is.EqualTo(eventA), "same event, same timestamp, on the other monitor");
        Assert.That(fixture.Machine.Calls, Is.EqualTo(new[] { "stop", "cont" }));
    }

    [Test]
    public async Task Quit_Negotiated_ShutdownEventReplyThenEof()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        await connection.SendAsync("{\"execute\": \"quit\", \"id\": 106}");
        Assert.That(await connection.ReadAsync(), Does.EndWith("\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}"));
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": 106}"));
        Assert.That(await connection.IsClosedAsync(TimeSpan.FromSeconds(5)), Is.True);
    }

    /// <summary>
    /// An event emitted just before the server stops still reaches the client (a VMM's SHUTDOWN before it exits on
    /// SIGTERM): stopping drains each client's queue, within the drain timeout, before closing it.
    /// </summary>
    [Test]
    public async Task ServerStops_RightAfterAnEvent_TheClientStillGetsItThenEof()
    {
        ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        for (int i = 0; i < 50; i++)
        {
            fixture.Server.Events.Emit($"LAST{i}");
        }

        await fixture.DisposeAsync();
        for (int i = 0; i < 50; i++)
        {
            Assert.That(await connection.ReadAsync(), Does.Contain($"\"event\": \"LAST{i}\""), $"event {i}");
        }

        Assert.That(await connection.IsClosedAsync(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public async Task ExecOob_WhileInBandCommandBlocks_IsAnsweredFirst()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectAsync();
        Assert.That(await connection.ReadAsync(), Does.EndWith("\"capabilities\": [\"oob\"]}}"));
        await connection.SendAsync("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}, \"id\": \"neg\"}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": \"neg\"}"));

        await connection.SendAsync("{\"execute\": \"x-block\", \"id\": \"slow\"}{\"execute\": \"query-status\", \"id\": \"queued\"}{\"exec-oob\": \"migrate-pause\", \"id\": \"oob\"}");
        Assert.That(await connection.ReadAsync(), Does.StartWith("{\"id\": \"oob\", \"error\": {\"class\": \"GenericError\""), "out-of-band reply overtakes the blocked in-band command");
        Assert.That(await connection.ReadAsync(TimeSpan.FromMilliseconds(200)), Is.Null);
        fixture.Blocker.Release();
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": \"slow\"}"));
        Assert.That(await connection.ReadAsync(), Does.EndWith("\"id\": \"queued\"}"));
    }

    [Test]
    public async Task QmpCapabilities_OobNotAdvertised_RejectsOobAndGreetsWithoutIt()
    {
        await using ServerFixture fixture = ServerFixture.Start(new QmpServerOptions { AdvertiseOob = false });
        using RawQmpConnection connection = await fixture.ConnectAsync();
        Assert.That(await connection.ReadAsync(), Does.EndWith("\"capabilities\": []}}"));
        await connection.SendAsync("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Capability 'oob' not available\"}}"));
    }

    [Test]
    public async Task Events_ClientNeverReads_IsDisconnectedWhileOthersAndMachineKeepGoing()
    {
        await using ServerFixture fixture = ServerFixture.Start(new QmpServerOptions { MaxQueuedMessages = 64 }, monitors: 2);
        using RawQmpConnection stuck = await fixture.ConnectNegotiatedAsync(0);
        using RawQmpConnection healthy = await fixture.ConnectNegotiatedAsync(1);

        var clock = Stopwatch.StartNew();
        int received = 0;
        for (int batch = 0; batch < 200; batch++)
        {
            for (int i = 0; i < 50; i++)
            {
                fixture.Server.Events.Emit("POWERDOWN");
            }

            for (int i = 0; i < 50; i++)
            {
                Assert.That(await healthy.ReadAsync(), Does.EndWith("\"event\": \"POWERDOWN\"}"));
                received++;
            }
        }

        Assert.That(received, Is.EqualTo(10_000), "a reading client gets every event");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));

        using RawQmpConnection next = await fixture.ConnectAsync(0);
        Assert.That(await next.ReadAsync(TimeSpan.FromSeconds(10)), Does.StartWith("{\"QMP\""), "the stuck client was disconnected, so monitor 0 serves the next one");
        await healthy.SendAsync("{\"execute\": \"query-status\", \"id\": 1}");
        Assert.That(await healthy.ReadAsync(), Does.EndWith("\"id\": 1}"));
    }

    [Test]
    public async Task Emit_FromSeveralThreads_EveryMonitorSeesTheSameOrder()
    {
        await using ServerFixture fixture = ServerFixture.Start(monitors: 2);
        using RawQmpConnection first = await fixture.ConnectNegotiatedAsync(0);
        using RawQmpConnection second = await fixture.ConnectNegotiatedAsync(1);
        Task[] emitters = Enumerable.Range(0, 4)
            .Select(t => Task.Run(() =>
            {
                for (int i = 0; i < 100; i++)
                {
                    fixture.Server.Events.Emit($"T{t}");
                }
            }))
            .ToArray();
        await Task.WhenAll(emitters);

        var orderFirst = new List<string>();
        var orderSecond = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            orderFirst.Add((await first.ReadAsync())!);
            orderSecond.Add((await second.ReadAsync())!);
        }

        Assert.That(orderSecond, Is.EqualTo(orderFirst), "same events, same order, same timestamps");
        Assert.That(orderFirst.Select(m => m[^4..]).Distinct().Count(), Is.EqualTo(4));
    }

    [Test]
    public async Task Execute_CommandWithBug_RepliesGenericErrorAndSessionContinues()
    {
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        await connection.SendAsync("{\"execute\": \"x-bug\", \"id\": 1}{\"execute\": \"query-name\", \"id\": 2}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"Internal error in x-bug\"}}"));
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"return\": {}, \"id\": 2}"));
    }

    [Test]
    public async Task AddMonitor_TcpLoopback_ServesQmp()
    {
        var events = new QmpEventHub();
        await using var server = new QmpServer(new QmpNoneMachine(events), events);
        QmpMonitor monitor = server.AddMonitor("tcp:127.0.0.1:0,server");
        using RawQmpConnection connection = await RawQmpConnection.ConnectAsync(monitor.LocalEndPoint);
        Assert.That(await connection.ReadAsync(), Is.EqualTo("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"kvm-vmm\"}, \"capabilities\": [\"oob\"]}}"));
        Assert.That(((IPEndPoint)monitor.LocalEndPoint).Port, Is.GreaterThan(0));
    }

    [TestCase("info status", "VM status: running\\r\\n")]
    [TestCase("info version", "7.2.22Debian 1:7.2+dfsg-7+deb12u18+b3\\r\\n")]
    [TestCase("info name", "")]
    [TestCase("no-such-hmp", "unknown command: 'no-such-hmp'\\r\\n")]
    public async Task HumanMonitorCommand_KnownLines_AnswerAsHmp(string line, string expected)
    {
        await using ServerFixture fixture = ServerFixture.Start();
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();
        await connection.SendAsync($"{{\"execute\": \"human-monitor-command\", \"arguments\": {{\"command-line\": \"{line}\"}}}}");
        Assert.That(await connection.ReadAsync(), Is.EqualTo($"{{\"return\": \"{expected}\"}}"));
    }

    [Test]
    public void Parse_Addresses_AcceptQemuSyntaxAndLoopbackOnly()
    {
        Assert.That(QmpAddress.Parse("unix:/run/x.sock,server").Path, Is.EqualTo("/run/x.sock"));
        Assert.That(QmpAddress.Parse("unix:/run/x.sock,server=on,wait=off").Kind, Is.EqualTo(QmpAddressKind.Unix));
        Assert.That(QmpAddress.Parse("tcp:127.0.0.1:4444,server").TcpEndPoint!.Port, Is.EqualTo(4444));
        Assert.That(QmpAddress.TryParse("tcp:0.0.0.0:4444,server", out _, out string? error), Is.False);
        Assert.That(error, Does.Contain("loopback"));
        Assert.That(QmpAddress.TryParse("unix:/x.sock", out _, out _), Is.False);
    }

    [Test]
    public void Parse_DoubledComma_IsACommaInThePath()
    {
        Assert.That(QmpAddress.Parse("unix:/run/a,,b.qmp,server").Path, Is.EqualTo("/run/a,b.qmp"));
        Assert.That(QmpAddress.Parse(QmpAddress.UnixServer("/run/,a,,b,")).Path, Is.EqualTo("/run/,a,,b,"));
        Assert.That(QmpAddress.UnixServer("/run/a,b.qmp"), Is.EqualTo("unix:/run/a,,b.qmp,server"));
        Assert.That(QmpAddress.TryParse("unix:/run/a,b.qmp,server", out QmpAddress? single, out _), Is.True);
        Assert.That(single!.Path, Is.EqualTo("/run/a"), "a single comma ends the path, as in QEMU");
    }

    [Test]
    public async Task QuitRequested_AfterQuit_Completes()
    {
        var events = new QmpEventHub();
        var machine = new QmpNoneMachine(events);
        await machine.QuitAsync(CancellationToken.None);
        Assert.That(machine.QuitRequested.IsCompleted, Is.True);
        Assert.That(machine.RunState, Is.EqualTo(QmpRunState.Running));
    }
}
