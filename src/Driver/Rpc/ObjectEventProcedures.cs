namespace Kvm.Driver.Rpc;

/// <summary>
/// CONNECT_NETWORK_EVENT_REGISTER_ANY / CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY and their DEREGISTER_ANY: callbacks for
/// one family of events (<see cref="RpcEventFamily"/>) of objects named by name and UUID, optionally for one object,
/// with the checks and messages of libvirt's remote_daemon_dispatch.c. As there, a callback may name an object that
/// does not exist (virGetNetwork and virGetStoragePool make the handle without a lookup): it hears of one defined later
/// with that UUID. <see cref="RpcObjectEvents"/> sends the events.
/// </summary>
internal sealed class ObjectEventProcedures
{
    /// <summary>Networks: VIR_NETWORK_EVENT_ID_LAST in libvirt 9.0 is 1 (lifecycle only).</summary>
    public static readonly ObjectEventProcedures Network = new(RpcEventFamily.Network, 1, "network");

    /// <summary>Storage pools: lifecycle (0) and refresh (1), VIR_STORAGE_POOL_EVENT_ID_LAST = 2.</summary>
    public static readonly ObjectEventProcedures StoragePool = new(RpcEventFamily.StoragePool, 2, "storage pool");

    private readonly RpcEventFamily _family;
    private readonly int _eventIdLast;
    private readonly string _noun;

    private ObjectEventProcedures(RpcEventFamily family, int eventIdLast, string noun)
    {
        _family = family;
        _eventIdLast = eventIdLast;
        _noun = noun;
    }

    public PacketBuffer Register(RpcCall call)
    {
        XdrReader args = call.Reader();
        int eventId = args.ReadInt32();
        (string Name, Guid Uuid)? target = RemoteUuidObject.ReadOptional(ref args);
        args.EnsureEnd();
        if (eventId < 0 || eventId >= _eventIdLast)
        {
            throw RemoteErrorException.Internal($"unsupported {_noun} event ID {eventId}");
        }
        int callbackId = call.Client.AddCallback(eventId, target?.Uuid, legacy: false, _family);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteInt32(callbackId);
        return reply;
    }

    public PacketBuffer Deregister(RpcCall call)
    {
        XdrReader args = call.Reader();
        int id = args.ReadInt32();
        args.EnsureEnd();
        if (!call.Client.RemoveCallback(id, _family))
        {
            throw RemoteErrorException.Internal($"{_noun} event callback {id} not registered");
        }
        return call.Empty();
    }
}
