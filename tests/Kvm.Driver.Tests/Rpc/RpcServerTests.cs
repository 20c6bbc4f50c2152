using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>The RPC server and its connections, driven by a bare client: gates, keepalive, errors, misbehaving clients.</summary>
public sealed partial class RpcServerTests
{
    private RpcFixture _f = null!;

    [SetUp]
    public async Task SetUp() => _f = await RpcFixture.StartAsync(maxQueuedPackets: 16);

    [TearDown]
    public async Task TearDown() => await _f.DisposeAsync();

    [Test]
    public void Call_AfterOpen_GetTypeIsQemu()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (RpcHeader header, byte[] body) = client.Call(RemoteProcedure.ConnectGetType);
        Assert.That(header, Is.EqualTo(new RpcHeader(RpcPrograms.Remote, 1, 3, RpcMessageType.Reply, header.Serial, RpcStatus.Ok)));
        Assert.That(new XdrReader(body).ReadString(), Is.EqualTo("QEMU"));
    }

    [Test]
    public void Call_BeforeOpen_HypervisorConnectionNotOpen()
    {
        using var client = new RpcTestClient(_f.Socket);
        (RpcHeader header, byte[] body) = client.Call(RemoteProcedure.ConnectListAllDomains, (ref XdrWriter w) =>
        {
            w.WriteInt32(1);
            w.WriteUInt32(0);
        });
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Error));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("internal error: hypervisor connection not open"));
    }

    [Test]
    public void Open_ClientSocketFlagsThenAgain_AcceptedThenAlreadyOpen()
    {
        using var client = new RpcTestClient(_f.Socket);
        RpcTestClient.Args open = (ref XdrWriter w) =>
        {
            w.WriteOptionalString("qemu:///session");
            w.WriteUInt32(2 | 4); // what a non-root virsh sends for qemu:///session: REMOTE_DRIVER_OPEN_USER | REMOTE_DRIVER_OPEN_AUTOSTART
        };
        Assert.That(client.Call(RemoteProcedure.ConnectOpen, open).Header.Status, Is.EqualTo(RpcStatus.Ok));
        (_, byte[] body) = client.Call(RemoteProcedure.ConnectOpen, open);
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("internal error: connection already open"));
        Assert.That(RpcTestClient.ErrorCode(body), Is.EqualTo((1, 7)), "raised by the daemon's dispatch code: VIR_FROM_RPC");
        (_, body) = client.Call(RemoteProcedure.ConnectDomainEventCallbackDeregisterAny, (ref XdrWriter w) => w.WriteInt32(99));
        Assert.That((RpcTestClient.ErrorMessage(body), RpcTestClient.ErrorCode(body)), Is.EqualTo(("internal error: domain event callback 99 not registered", (1, 7))));
    }

    [TestCase("lxc:///system", "no connection driver available for lxc:///system")]
    [TestCase("qemu:///embed", "internal error: unexpected qemu URI path '/embed', try qemu:///system")]
    public void Open_UriNotOurs_VirtqemudsError(string uri, string expected)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            expected = expected.Replace("qemu:///system", "qemu:///session", StringComparison.Ordinal);
        }
        using var client = new RpcTestClient(_f.Socket);
        (_, byte[] body) = client.Call(RemoteProcedure.ConnectOpen, (ref XdrWriter w) =>
        {
            w.WriteOptionalString(uri);
            w.WriteUInt32(0);
        });
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo(expected));
    }

    [Test]
    public void KeepalivePing_Message_PongWithoutBody()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Send(new RpcHeader(RpcPrograms.Keepalive, 1, RpcPrograms.KeepalivePing, RpcMessageType.Message, 0, RpcStatus.Ok));
        (RpcHeader header, byte[] body) = client.Receive();
        Assert.That(header, Is.EqualTo(new RpcHeader(RpcPrograms.Keepalive, 1, RpcPrograms.KeepalivePong, RpcMessageType.Message, 0, RpcStatus.Ok)));
        Assert.That(body, Is.Empty);
    }

    [Test]
    public void Call_UnknownProgram_RpcErrorAndConnectionStaysUsable()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Send(new RpcHeader(0x12345678, 1, 1, RpcMessageType.Call, 77, RpcStatus.Ok));
        (RpcHeader header, byte[] body) = client.Receive();
        Assert.That((header.Serial, header.Status), Is.EqualTo((77u, RpcStatus.Error)));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("Cannot find program 305419896 version 1"));
        Assert.That(RpcTestClient.ErrorCode(body), Is.EqualTo((39, 7)));
        client.Open();
    }

    /// <summary>Found by the fuzz: libvirt finds a program by number and version together, so a wrong version is an unknown program, printed with %d.</summary>
    [TestCase(RpcPrograms.Remote, 2u, "Cannot find program 536903814 version 2")]
    [TestCase(RpcPrograms.Remote, 0x80000000u, "Cannot find program 536903814 version -2147483648")]
    [TestCase(0xfffffffeu, 1u, "Cannot find program -2 version 1")]
    [TestCase(RpcPrograms.Keepalive, 1u, "Cannot find program 1801807216 version 1")] // the keepalive program takes MESSAGEs only
    public void Call_ProgramAndVersionNotServed_CannotFindProgramAndConnectionStaysUsable(uint program, uint version, string expected)
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Send(new RpcHeader(program, version, 1, RpcMessageType.Call, 5, RpcStatus.Ok));
        (RpcHeader header, byte[] body) = client.Receive();
        Assert.That(header, Is.EqualTo(new RpcHeader(program, version, 1, RpcMessageType.Reply, 5, RpcStatus.Error)));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo(expected));
        client.Open();
    }

    /// <summary>Found by the comparison with libvirt: the QEMU driver names the caller's domain in "not found", and "not running" comes from libvirt's domain code.</summary>
    [Test]
    public void DomainCalls_GoneOrShutOff_LibvirtsMessageCodeAndDomain()
    {
        var a = _f.Manager.Manager.Define(TestDomains.Xml("a"));
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        Guid ghost = TestDomains.UuidOf("ghost");
        (_, byte[] body) = client.Call(RemoteProcedure.DomainGetXmlDesc, (ref XdrWriter w) =>
        {
            RemoteDomain.Write(ref w, "ghost", ghost, -1);
            w.WriteUInt32(0);
        });
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo($"Domain not found: no domain with matching uuid '{ghost:D}' (ghost)"));
        Assert.That(RpcTestClient.ErrorCode(body), Is.EqualTo((42, 10)));
        (_, body) = client.Call(RemoteProcedure.DomainDestroy, (ref XdrWriter w) => RemoteDomain.Write(ref w, a));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("Requested operation is not valid: domain is not running"));
        Assert.That(RpcTestClient.ErrorCode(body), Is.EqualTo((55, 20)), "VIR_FROM_DOMAIN, as virDomainObjCheckActive reports it");
        (_, body) = client.Call(RemoteProcedure.DomainShutdown, (ref XdrWriter w) => RemoteDomain.Write(ref w, a));
        Assert.That(RpcTestClient.ErrorCode(body), Is.EqualTo((55, 10)), "VIR_FROM_QEMU: qemuDomainShutdownFlags says it itself");
    }

    [Test]
    public void StreamData_UnknownSerial_DroppedSilently()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        client.Send(new RpcHeader(RpcPrograms.Remote, 1, 201, RpcMessageType.Stream, 4242, RpcStatus.Continue), (ref XdrWriter w) => w.WriteUInt32(7));
        (RpcHeader header, _) = client.Call(RemoteProcedure.ConnectGetType);
        Assert.That(header.Procedure, Is.EqualTo((int)RemoteProcedure.ConnectGetType), "nothing was sent for the stray stream data");
    }

    [Test]
    public void Call_KnownProcedureNotImplemented_NoSupportAsVirtqemud()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        // REMOTE_PROC_NODE_GET_CELLS_FREE_MEMORY: a procedure libvirt knows and kvmd does not implement.
        (RpcHeader header, byte[] body) = client.Call(101);
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Error));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("this function is not supported by the connection driver: virNodeGetCellsFreeMemory"));
        Assert.That(RpcTestClient.ErrorCode(body), Is.EqualTo((3, 20)));
    }

    [Test]
    public void Call_UnknownProcedure_RpcError()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (_, byte[] body) = client.Call(99999);
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("unknown procedure: 99999"));
    }

    [Test]
    public void Call_TruncatedArguments_UndecodablePayload()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (_, byte[] body) = client.Call(RemoteProcedure.DomainLookupByName, (ref XdrWriter w) => w.WriteUInt32(100));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("Unable to decode message payload"));
    }

    [Test]
    public void Define_OnReadOnlySocket_OperationForbiddenAndNothingDefined()
    {
        using var client = new RpcTestClient(_f.ReadOnlySocket);
        client.Open();
        (RpcHeader header, byte[] body) = client.Call(RemoteProcedure.DomainDefineXmlFlags, (ref XdrWriter w) =>
        {
            w.WriteString(TestDomains.Xml("ro"));
            w.WriteUInt32(0);
        });
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Error));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("operation forbidden: read only access prevents virDomainDefineXMLFlags"));
        Assert.That(RpcTestClient.ErrorCode(body), Is.EqualTo((29, 20)));
        Assert.That(_f.Manager.Manager.List(), Is.Empty);
        Assert.That(client.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok), "reads are allowed");
    }

    [Test]
    public async Task Calls_SlowStartThenGetType_GetTypeAnsweredFirst()
    {
        await using RpcFixture slow = await RpcFixture.StartAsync(vmmPrefix: "sleep 2");
        var domain = slow.Manager.Manager.Define(TestDomains.Xml("s"));
        using var client = new RpcTestClient(slow.Socket);
        client.Open();
        client.Send(new RpcHeader(RpcPrograms.Remote, 1, (int)RemoteProcedure.DomainCreate, RpcMessageType.Call, 100, RpcStatus.Ok),
            (ref XdrWriter w) => RemoteDomain.Write(ref w, domain));
        client.Send(new RpcHeader(RpcPrograms.Remote, 1, (int)RemoteProcedure.ConnectGetType, RpcMessageType.Call, 101, RpcStatus.Ok));
        (RpcHeader first, _) = client.Receive();
        (RpcHeader second, byte[] body) = client.Receive();
        Assert.That((first.Serial, second.Serial), Is.EqualTo((101u, 100u)), "the quick call is not held up by the slow one");
        Assert.That(second.Status, Is.EqualTo(RpcStatus.Ok), () => RpcTestClient.ErrorMessage(body));
        await slow.Manager.Manager.DestroyAsync(domain.Uuid, CancellationToken.None);
    }

    [Test]
    public void Dispose_Server_SocketFilesRemoved()
    {
        Assert.That(File.Exists(_f.Socket) && File.Exists(_f.ReadOnlySocket), Is.True);
        _f.Server.DisposeAsync().AsTask().Wait();
        Assert.That(File.Exists(_f.Socket) || File.Exists(_f.ReadOnlySocket), Is.False);
    }

    [Test]
    public void Start_SocketOfALiveServer_RefusedWithoutTakingIt()
    {
        var options = _f.Server.Options with { ReadOnlySocketPath = null };
        var e = Assert.Throws<IOException>(() => RpcServer.Start(_f.Manager.Manager, options));
        Assert.That(e!.Message, Does.Contain("in use"));
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
    }
}
