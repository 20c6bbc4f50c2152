using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Event registration: the callback style (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, one id per callback, optionally
/// for one domain) and the legacy one (CONNECT_DOMAIN_EVENT_REGISTER_ANY, one per event id). kvmd raises lifecycle
/// and reboot events; the other ids are accepted, as virtqemud accepts them, and stay silent until kvmd has them.
/// </summary>
internal sealed class DomainEventProcedures
{
    /// <summary>VIR_DOMAIN_EVENT_ID_LAST in libvirt 9.0: ids 0..26.</summary>
    public const int EventIdLast = 27;

    private const int LegacyEventIdLast = 16;

    private readonly IDomainManager _manager;

    public DomainEventProcedures(IDomainManager manager)
    {
        _manager = manager;
    }

    public PacketBuffer Register(RpcCall call, bool legacy)
    {
        XdrReader args = call.Reader();
        int eventId = args.ReadInt32();
        Guid? domain = null;
        if (!legacy && args.ReadBool())
        {
            domain = RemoteDomain.ReadUuid(ref args);
        }
        args.EnsureEnd();
        CheckEventId(eventId, legacy);
        if (domain is Guid uuid)
        {
            _manager.LookupByUuid(uuid);
        }
        if (legacy)
        {
            call.Client.AddCallback(eventId, null, legacy: true);
            return call.Empty();
        }
        int callbackId = call.Client.AddCallback(eventId, domain, legacy: false);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteInt32(callbackId);
        return reply;
    }

    public PacketBuffer Deregister(RpcCall call, bool legacy)
    {
        XdrReader args = call.Reader();
        int id = args.ReadInt32();
        args.EnsureEnd();
        if (legacy)
        {
            CheckEventId(id, legacy: true);
            if (!call.Client.RemoveLegacyCallback(id))
            {
                throw RemoteErrorException.Internal($"domain event {id} not registered");
            }
        }
        else if (!call.Client.RemoveCallback(id))
        {
            throw RemoteErrorException.Internal($"domain event callback {id} not registered");
        }
        return call.Empty();
    }

    /// <summary>The legacy style stops at VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED (15); later ids exist only for callbacks.</summary>
    private static void CheckEventId(int eventId, bool legacy)
    {
        if (eventId < 0 || eventId >= (legacy ? LegacyEventIdLast : EventIdLast))
        {
            throw RemoteErrorException.Internal($"unsupported event ID {eventId}");
        }
    }
}
