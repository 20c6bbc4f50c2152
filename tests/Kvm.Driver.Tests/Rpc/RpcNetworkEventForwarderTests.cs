using Kvm.Driver.Api;
using Kvm.Driver.Networks;
using Kvm.Driver.Rpc;
using Kvm.Driver.Tests.Networks;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Network lifecycle events from the driver core's <see cref="NetworkManager"/> to a bare client: the message's layout,
/// the per-network filter, network and domain callbacks kept apart, and libvirt's registration errors. Only defines
/// and undefines happen, so the host side is a <see cref="RecordingRealiser"/> (the real one is tested in a namespace).
/// </summary>
public sealed class RpcNetworkEventForwarderTests
{
    private RpcFixture _f = null!;
    private NetworkManager _networks = null!;

    [SetUp]
    public async Task SetUp()
    {
        _f = await RpcFixture.StartAsync(hostObjects: m =>
        {
            _networks = new NetworkManager(Path.Combine(m.Root, "net-state"), Path.Combine(m.Root, "net-run"), new RecordingRealiser());
            return new HostObjects(Networks: _networks);
        });
    }

    [TearDown]
    public async Task TearDown() => await _f.DisposeAsync();

    [Test]
    public void CallbackForOneNetwork_DefineTwoUndefine_OnlyItsEventsWithCallbackId()
    {
        NetworkSnapshot a = _networks.Define(NetworkXml("a", 10));
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (RpcHeader header, byte[] body) = client.Call(RemoteProcedure.ConnectNetworkEventRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(0); // VIR_NETWORK_EVENT_ID_LIFECYCLE
            w.WriteBool(true);
            RemoteNetwork.Write(ref w, a);
        });
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Ok), () => RpcTestClient.ErrorMessage(body));
        int callbackId = new XdrReader(body).ReadInt32();

        _networks.Define(NetworkXml("b", 11));
        _networks.Undefine(a.Uuid);

        (RpcHeader message, byte[] payload) = client.Receive();
        Assert.That(message, Is.EqualTo(new RpcHeader(RpcPrograms.Remote, 1, 315, RpcMessageType.Message, 0, RpcStatus.Ok)));
        var reader = new XdrReader(payload);
        Assert.That(reader.ReadInt32(), Is.EqualTo(callbackId));
        Assert.That(reader.ReadString(), Is.EqualTo("a"), "b's event is filtered out; a's name survives its undefine");
        Assert.That(RemoteDomain.ReadRawUuid(ref reader), Is.EqualTo(a.Uuid));
        Assert.That((reader.ReadInt32(), reader.ReadInt32()), Is.EqualTo((1, 0))); // UNDEFINED, no detail
        Assert.That(reader.Remaining, Is.Zero);
    }

    [Test]
    public void NetworkAndDomainCallbacks_EachFamilyGetsOnlyItsOwn()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (_, byte[] body) = client.Call(RemoteProcedure.ConnectDomainEventCallbackRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(0);
            w.WriteBool(false);
        });
        int domainCallback = new XdrReader(body).ReadInt32();
        (_, body) = client.Call(RemoteProcedure.ConnectNetworkEventRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(0);
            w.WriteBool(false);
        });
        int networkCallback = new XdrReader(body).ReadInt32();

        _networks.Define(NetworkXml("a", 10));
        (RpcHeader message, byte[] payload) = client.Receive();
        Assert.That((message.Procedure, new XdrReader(payload).ReadInt32()), Is.EqualTo((315, networkCallback)), "a network event for the network callback only");
        _f.Manager.Manager.Define(TestDomains.Xml("d"));
        (message, payload) = client.Receive();
        Assert.That((message.Procedure, new XdrReader(payload).ReadInt32()), Is.EqualTo((318, domainCallback)), "a domain event for the domain callback only");

        (_, body) = client.Call(RemoteProcedure.ConnectNetworkEventDeregisterAny, (ref XdrWriter w) => w.WriteInt32(domainCallback));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo($"internal error: network event callback {domainCallback} not registered"));
        (RpcHeader reply, _) = client.Call(RemoteProcedure.ConnectNetworkEventDeregisterAny, (ref XdrWriter w) => w.WriteInt32(networkCallback));
        Assert.That(reply.Status, Is.EqualTo(RpcStatus.Ok));
        Assert.That(_f.Server.RegisteredCallbacks, Is.EqualTo(1), "the domain callback stays");
    }

    [Test]
    public void Register_EventIdOutOfRange_UnsupportedNetworkEventId()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (_, byte[] body) = client.Call(RemoteProcedure.ConnectNetworkEventRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(1); // VIR_NETWORK_EVENT_ID_METADATA_CHANGE came after libvirt 9.0
            w.WriteBool(false);
        });
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("internal error: unsupported network event ID 1"));
        Assert.That(_f.Server.RegisteredCallbacks, Is.Zero);
    }

    [Test]
    public void Register_NetworkNotYetDefined_AcceptedAndHearsOfItsDefine()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        Guid uuid = Guid.Parse("11111111-2222-3333-4444-555555555555");
        (RpcHeader reply, byte[] body) = client.Call(RemoteProcedure.ConnectNetworkEventRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(0);
            w.WriteBool(true);
            RemoteNetwork.Write(ref w, "later", uuid);
        });
        Assert.That(reply.Status, Is.EqualTo(RpcStatus.Ok), () => RpcTestClient.ErrorMessage(body));

        _networks.Define(NetworkXml("other", 12));
        _networks.Define($"<network><name>later</name><uuid>{uuid:D}</uuid><bridge name='vbrlater'/></network>");

        (_, byte[] payload) = client.Receive();
        var reader = new XdrReader(payload);
        reader.ReadInt32();
        Assert.That((reader.ReadString(), RemoteDomain.ReadRawUuid(ref reader), reader.ReadInt32()), Is.EqualTo(("later", uuid, 0)), "DEFINED of that network, not of the other");
    }

    private static string NetworkXml(string name, int subnet) =>
        $"<network><name>{name}</name><bridge name='vbr{name}'/><ip address='192.168.{subnet}.1' netmask='255.255.255.0'/></network>";
}
