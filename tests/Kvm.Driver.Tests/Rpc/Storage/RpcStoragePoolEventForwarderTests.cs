using Kvm.Driver.Api;
using Kvm.Driver.Pools;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc.Storage;

/// <summary>
/// Storage pool events from the driver core's <see cref="StoragePoolManager"/> to a bare client: the lifecycle and
/// refresh messages' layouts, the per-pool filter, pool and network callbacks kept apart, and libvirt's registration errors.
/// </summary>
public sealed class RpcStoragePoolEventForwarderTests
{
    private RpcFixture _f = null!;
    private StoragePoolManager _pools = null!;
    private string _targets = null!;

    [SetUp]
    public async Task SetUp()
    {
        _f = await RpcFixture.StartAsync(hostObjects: m =>
        {
            _targets = Path.Combine(m.Root, "targets");
            _pools = new StoragePoolManager(Path.Combine(m.Root, "pool-state"));
            return new HostObjects(Pools: _pools);
        });
    }

    [TearDown]
    public async Task TearDown() => await _f.DisposeAsync();

    [Test]
    public void CallbacksForOnePool_BuildRefreshUndefine_LifecycleAndRefreshLayouts()
    {
        StoragePoolSnapshot a = _pools.Define(PoolXml("a"));
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        int lifecycle = Register(client, 0, a);
        int refresh = Register(client, 1, a);

        StoragePoolSnapshot b = _pools.Define(PoolXml("b"));
        _pools.Build(b.Uuid, 0);
        _pools.Build(a.Uuid, 0);
        _pools.Start(a.Uuid);
        _pools.Refresh(a.Uuid, 0);

        (RpcHeader message, byte[] payload) = client.Receive();
        Assert.That(message, Is.EqualTo(new RpcHeader(RpcPrograms.Remote, 1, 370, RpcMessageType.Message, 0, RpcStatus.Ok)));
        var reader = new XdrReader(payload);
        Assert.That((reader.ReadInt32(), reader.ReadString(), RemoteDomain.ReadRawUuid(ref reader)), Is.EqualTo((lifecycle, "a", a.Uuid)), "b's events are filtered out");
        Assert.That((reader.ReadInt32(), reader.ReadInt32(), reader.Remaining), Is.EqualTo((4, 0, 0))); // CREATED, no detail
        (message, payload) = client.Receive();
        Assert.That((message.Procedure, new XdrReader(payload).ReadInt32()), Is.EqualTo((370, lifecycle))); // STARTED
        (message, payload) = client.Receive();
        Assert.That(message.Procedure, Is.EqualTo(373), "REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH");
        reader = new XdrReader(payload);
        Assert.That((reader.ReadInt32(), reader.ReadString(), RemoteDomain.ReadRawUuid(ref reader), reader.Remaining), Is.EqualTo((refresh, "a", a.Uuid, 0)));

        _pools.Destroy(a.Uuid);
        _pools.Undefine(a.Uuid);
        client.Receive();
        (_, payload) = client.Receive();
        reader = new XdrReader(payload);
        reader.ReadInt32();
        Assert.That((reader.ReadString(), RemoteDomain.ReadRawUuid(ref reader), reader.ReadInt32()), Is.EqualTo(("a", a.Uuid, 1)), "UNDEFINED, the name kept");
    }

    [Test]
    public void Deregister_NetworkFamilyOrUnknown_LibvirtsErrors()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        int id = Register(client, 0, null);
        (_, byte[] body) = client.Call(RemoteProcedure.ConnectStoragePoolEventDeregisterAny, (ref XdrWriter w) => w.WriteInt32(id + 1));
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo($"internal error: storage pool event callback {id + 1} not registered"));
        (_, body) = client.Call(RemoteProcedure.ConnectStoragePoolEventRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(2); // VIR_STORAGE_POOL_EVENT_ID_LAST
            w.WriteBool(false);
        });
        Assert.That(RpcTestClient.ErrorMessage(body), Is.EqualTo("internal error: unsupported storage pool event ID 2"));
        Assert.That(_f.Server.RegisteredCallbacks, Is.EqualTo(1));
        (RpcHeader reply, _) = client.Call(RemoteProcedure.ConnectStoragePoolEventDeregisterAny, (ref XdrWriter w) => w.WriteInt32(id));
        Assert.That((reply.Status, _f.Server.RegisteredCallbacks), Is.EqualTo((RpcStatus.Ok, 0)));
    }

    [Test]
    public void PoolCall_PoolGone_NoStoragePoolWithCallersNameFromStorageDomain()
    {
        using var client = new RpcTestClient(_f.Socket);
        client.Open();
        Guid uuid = Guid.Parse("11111111-2222-3333-4444-555555555555");
        (RpcHeader header, byte[] body) = client.Call(RemoteProcedure.StoragePoolGetInfo, (ref XdrWriter w) => RemoteUuidObject.Write(ref w, "gone", uuid));
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Error));
        var reader = new XdrReader(body);
        Assert.That((reader.ReadInt32(), reader.ReadInt32()), Is.EqualTo((49, 18)), "VIR_ERR_NO_STORAGE_POOL from VIR_FROM_STORAGE");
        Assert.That(RpcTestClient.ErrorMessage(body),
            Is.EqualTo($"Storage pool not found: no storage pool with matching uuid '{uuid:D}' (gone)"));
    }

    private static int Register(RpcTestClient client, int eventId, StoragePoolSnapshot? pool)
    {
        (RpcHeader header, byte[] body) = client.Call(RemoteProcedure.ConnectStoragePoolEventRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(eventId);
            w.WriteBool(pool is not null);
            if (pool is not null)
            {
                RemoteUuidObject.Write(ref w, pool.Name, pool.Uuid);
            }
        });
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Ok), () => RpcTestClient.ErrorMessage(body));
        return new XdrReader(body).ReadInt32();
    }

    private string PoolXml(string name) =>
        $"<pool type='dir'><name>{name}</name><target><path>{Path.Combine(_targets, name)}</path></target></pool>";
}
