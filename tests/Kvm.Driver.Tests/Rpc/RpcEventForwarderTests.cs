using Kvm.Driver.Domains;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>Events from the real driver core to bare clients: the callback style with a domain filter, and the legacy style.</summary>
public sealed class RpcEventForwarderTests
{
    private RpcFixture _f = null!;

    [SetUp]
    public async Task SetUp() => _f = await RpcFixture.StartAsync();

    [TearDown]
    public async Task TearDown() => await _f.DisposeAsync();

    [Test]
    public void CallbackForOneDomain_DefineTwo_OnlyItsEventWithCallbackId()
    {
        DomainInfo a = _f.Manager.Manager.Define(TestDomains.Xml("a"));
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (RpcHeader header, byte[] body) = client.Call(RemoteProcedure.ConnectDomainEventCallbackRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(0); // VIR_DOMAIN_EVENT_ID_LIFECYCLE
            w.WriteBool(true);
            RemoteDomain.Write(ref w, a);
        });
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Ok), () => RpcTestClient.ErrorMessage(body));
        int callbackId = new XdrReader(body).ReadInt32();

        _f.Manager.Manager.Define(TestDomains.Xml("b"));
        _f.Manager.Manager.Define(TestDomains.Xml("a")); // DEFINED/UPDATED of a

        (RpcHeader message, byte[] payload) = client.Receive();
        Assert.That(message, Is.EqualTo(new RpcHeader(RpcPrograms.Remote, 1, 318, RpcMessageType.Message, 0, RpcStatus.Ok)));
        var reader = new XdrReader(payload);
        Assert.That(reader.ReadInt32(), Is.EqualTo(callbackId));
        Assert.That(reader.ReadString(), Is.EqualTo("a"), "b's event is filtered out");
        Assert.That(RemoteDomain.ReadRawUuid(ref reader), Is.EqualTo(a.Uuid));
        Assert.That((reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32()), Is.EqualTo((-1, 0, 1))); // id, DEFINED, UPDATED
        Assert.That(reader.Remaining, Is.Zero);
    }

    [Test]
    public void LegacyRegister_Undefine_LegacyMessageWithTheGoneDomainsName()
    {
        DomainInfo a = _f.Manager.Manager.Define(TestDomains.Xml("a"));
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        Assert.That(client.Call(RemoteProcedure.ConnectDomainEventRegisterAny, (ref XdrWriter w) => w.WriteInt32(0)).Header.Status, Is.EqualTo(RpcStatus.Ok));

        _f.Manager.Manager.Undefine(a.Uuid, 0);

        (RpcHeader message, byte[] payload) = client.Receive();
        Assert.That(message.Procedure, Is.EqualTo(107)); // REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE: no callback id
        var reader = new XdrReader(payload);
        Assert.That(reader.ReadString(), Is.EqualTo("a"));
        Assert.That(RemoteDomain.ReadRawUuid(ref reader), Is.EqualTo(a.Uuid));
        Assert.That((reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32()), Is.EqualTo((-1, 1, 0))); // UNDEFINED/REMOVED
    }

    [Test]
    public void Deregister_UnknownCallback_LibvirtsError()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (_, byte[] body) = client.Call(RemoteProcedure.ConnectDomainEventCallbackDeregisterAny, (ref XdrWriter w) => w.WriteInt32(42));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("internal error: domain event callback 42 not registered"));
    }

    [Test]
    public void Register_EventIdOutOfRange_UnsupportedEventId()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        (_, byte[] body) = client.Call(RemoteProcedure.ConnectDomainEventRegisterAny, (ref XdrWriter w) => w.WriteInt32(16));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("internal error: unsupported event ID 16"));
    }
}
