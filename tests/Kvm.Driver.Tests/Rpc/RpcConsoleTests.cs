using System.Text;
using Kvm.Driver.Rpc;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Consoles;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// DOMAIN_OPEN_CONSOLE and its stream through the real RPC server, driven packet by packet by a bare client: the
/// console is a real pty the test holds the guest's side of (the fake driver core names it as the running domain's).
/// </summary>
[CancelAfter(60_000)]
public sealed class RpcConsoleTests
{
    private const int OpenConsole = 201;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private FakeDomainManager _manager = null!;
    private RpcServer _server = null!;
    private TestPty _pty = null!;
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("rpc-console-").FullName;
        _pty = new TestPty();
        _manager = new FakeDomainManager { ConsolePty = _pty.SlavePath };
        _server = RpcServer.Start(_manager, new RpcServerOptions
        {
            SocketPath = Path.Combine(_directory, "sock"),
            ReadOnlySocketPath = Path.Combine(_directory, "sock-ro"),
            Uri = "qemu:///session",
        });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        _pty.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void OpenConsole_GuestAndClientTalk_DataBothWaysThenFinishConfirmed()
    {
        using RpcTestClient client = Connect();
        uint serial = Open(client, null, 0);

        _pty.GuestWrites("login: ");
        (RpcHeader header, byte[] body) = client.Receive();
        Assert.That(header, Is.EqualTo(StreamHeader(serial, RpcStatus.Continue)));
        Assert.That(Encoding.ASCII.GetString(body), Is.EqualTo("login: "));

        SendStream(client, serial, RpcStatus.Continue, "root\r");
        Assert.That(_pty.GuestReads(5, s_wait), Is.EqualTo("root\r"));

        SendStream(client, serial, RpcStatus.Ok, "");
        (header, body) = client.Receive();
        Assert.That((header, body.Length), Is.EqualTo((StreamHeader(serial, RpcStatus.Ok), 0)), "the finish is confirmed");
        Assert.That(client.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok), "the connection goes on");
        using RpcTestClient next = Connect();
        Open(next, null, 0); // the console was released
    }

    [Test]
    public void OpenConsole_SecondClient_ActiveSessionThenForceEvictsFirst()
    {
        using RpcTestClient first = Connect();
        uint firstSerial = Open(first, null, 0);
        using RpcTestClient second = Connect();

        (RpcHeader header, byte[] body) = second.Call(OpenConsole, OpenArgs(null, 0));
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Error));
        Assert.That((RpcTestClient.ErrorMessage(body), RpcTestClient.ErrorCode(body)),
            Is.EqualTo(("operation failed: Active console session exists for this domain", (9, 10))));

        uint secondSerial = Open(second, null, 1); // VIR_DOMAIN_CONSOLE_FORCE
        (header, body) = first.Receive();
        Assert.That(header, Is.EqualTo(StreamHeader(firstSerial, RpcStatus.Error)));
        Assert.That((RpcTestClient.ErrorMessage(body), RpcTestClient.ErrorCode(body)), Is.EqualTo(("stream had I/O failure", (39, 38))));

        _pty.GuestWrites("only-second");
        (header, body) = second.Receive();
        Assert.That((header, Encoding.ASCII.GetString(body)), Is.EqualTo((StreamHeader(secondSerial, RpcStatus.Continue), "only-second")));
        SendStream(first, firstSerial, RpcStatus.Continue, "late"); // data for the closed stream: dropped, as libvirt does
        Assert.That(first.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok));
        Assert.That(_pty.GuestReads(4, TimeSpan.FromMilliseconds(500)), Is.Empty);
    }

    [Test]
    public void OpenConsole_GuestSideHangsUp_EmptyContinueThenFinish()
    {
        using RpcTestClient client = Connect();
        uint serial = Open(client, null, 0);
        _pty.HangUp();
        (RpcHeader header, byte[] body) = client.Receive();
        Assert.That((header, body.Length), Is.EqualTo((StreamHeader(serial, RpcStatus.Continue), 0)), "end of data, as the daemon's HANGUP");
        SendStream(client, serial, RpcStatus.Ok, "");
        Assert.That(client.Receive().Header, Is.EqualTo(StreamHeader(serial, RpcStatus.Ok)));
    }

    [Test]
    public void OpenConsole_ClientAborts_ConfirmedAndReleased()
    {
        using RpcTestClient client = Connect();
        uint serial = Open(client, null, 0);
        SendStream(client, serial, RpcStatus.Error, "");
        Assert.That(client.Receive().Header, Is.EqualTo(StreamHeader(serial, RpcStatus.Ok)));
        Open(client, null, 0);
    }

    [Test]
    public void OpenConsole_ClientDisconnects_ConsoleReleased()
    {
        using (RpcTestClient client = Connect())
        {
            Open(client, null, 0);
        }
        using RpcTestClient next = Connect();
        DateTime end = DateTime.UtcNow + s_wait;
        RpcStatus status;
        do
        {
            status = next.Call(OpenConsole, OpenArgs(null, 0)).Header.Status;
        }
        while (status != RpcStatus.Ok && DateTime.UtcNow < end && Pause());
        Assert.That(status, Is.EqualTo(RpcStatus.Ok));
    }

    [Test]
    public void StreamPacket_UnknownSerialAndHole_DroppedThenHoleDisconnects()
    {
        using RpcTestClient client = Connect();
        SendStream(client, 4242, RpcStatus.Continue, "nobody");
        SendStream(client, 4243, RpcStatus.Error, "");
        Assert.That(client.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok), "unknown streams are ignored");

        uint serial = Open(client, null, 0);
        client.Send(new RpcHeader(RpcPrograms.Remote, RpcPrograms.RemoteVersion, OpenConsole, RpcMessageType.StreamHole, serial, RpcStatus.Continue),
            (ref XdrWriter w) => { w.WriteInt64(4096); w.WriteUInt32(0); });
        Assert.That(client.IsClosedByServer(s_wait), Is.True, "libvirt drops a client that sends a hole into a stream that is not sparse");
        Assert.That(_server.FailedClients + _server.FailedCalls, Is.Zero);
    }

    [TestCase(null, 4u, "unsupported flags (0x4) in function qemuDomainOpenConsole")]
    [TestCase("serial7", 0u, "internal error: cannot find character device serial7")]
    public void OpenConsole_BadArguments_LibvirtsError(string? device, uint flags, string expected)
    {
        using RpcTestClient client = Connect();
        (RpcHeader header, byte[] body) = client.Call(OpenConsole, OpenArgs(device, flags));
        Assert.That((header.Status, RpcTestClient.ErrorMessage(body)), Is.EqualTo((RpcStatus.Error, expected)));
    }

    [Test]
    public async Task OpenConsole_DomainShutOff_NotRunning()
    {
        await _manager.DestroyAsync(FakeDomainManager.TestUuid, CancellationToken.None);
        using RpcTestClient client = Connect();
        (RpcHeader header, byte[] body) = client.Call(OpenConsole, OpenArgs(null, 0));
        Assert.That((header.Status, RpcTestClient.ErrorMessage(body)), Is.EqualTo((RpcStatus.Error, "Requested operation is not valid: domain is not running")));
    }

    [Test]
    public void OpenConsole_ReadOnlySocket_Forbidden()
    {
        using var client = new RpcTestClient(_server.Options.ReadOnlySocketPath!);
        client.Open();
        (_, byte[] body) = client.Call(OpenConsole, OpenArgs(null, 0));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("operation forbidden: read only access prevents virDomainOpenConsole"));
    }

    private static bool Pause()
    {
        Thread.Sleep(50);
        return true;
    }

    private RpcTestClient Connect()
    {
        var client = new RpcTestClient(_server.Options.SocketPath);
        client.Open();
        return client;
    }

    private static uint Open(RpcTestClient client, string? device, uint flags)
    {
        (RpcHeader header, byte[] body) = client.Call(OpenConsole, OpenArgs(device, flags));
        Assert.That((header.Status, body.Length), Is.EqualTo((RpcStatus.Ok, 0)), () => RpcTestClient.ErrorMessage(body));
        return header.Serial;
    }

    private static RpcTestClient.Args OpenArgs(string? device, uint flags) => (ref XdrWriter w) =>
    {
        RemoteDomain.Write(ref w, "test", FakeDomainManager.TestUuid, 1);
        w.WriteOptionalString(device);
        w.WriteUInt32(flags);
    };

    /// <summary>A STREAM packet as libvirt's client sends it: raw data, no XDR length or padding.</summary>
    private static void SendStream(RpcTestClient client, uint serial, RpcStatus status, string data)
    {
        PacketBuffer packet = PacketBuffer.Start(StreamHeader(serial, status), out _);
        byte[] bytes = Encoding.ASCII.GetBytes(data);
        bytes.CopyTo(packet.GetSpan(bytes.Length));
        packet.Advance(bytes.Length);
        client.SendRaw(packet.ToPacket().Span);
    }

    private static RpcHeader StreamHeader(uint serial, RpcStatus status) =>
        new(RpcPrograms.Remote, RpcPrograms.RemoteVersion, OpenConsole, RpcMessageType.Stream, serial, status);
}
