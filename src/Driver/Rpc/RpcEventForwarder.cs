using System.Collections.Concurrent;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Sends the driver core's lifecycle and reboot events to every client that registered for them, as MESSAGE packets
/// (DOMAIN_EVENT_CALLBACK_LIFECYCLE/REBOOT with the callback id, or the legacy DOMAIN_EVENT_LIFECYCLE/REBOOT). Sending
/// never waits: a client whose queue is full is cut off by its connection.
/// </summary>
internal sealed class RpcEventForwarder : IDisposable
{
    private const int EventIdLifecycle = 0, EventIdReboot = 1; // virDomainEventID

    private const int LegacyReboot = 169; // REMOTE_PROC_DOMAIN_EVENT_REBOOT

    private readonly IDomainManager _manager;
    private readonly Func<IEnumerable<RpcConnection>> _clients;

    // The name and id a domain had when last seen, for events of a domain that is gone by the time they are sent (UNDEFINED).
    private readonly ConcurrentDictionary<Guid, (string Name, int Id)> _known = new();

    public RpcEventForwarder(IDomainManager manager, Func<IEnumerable<RpcConnection>> clients)
    {
        _manager = manager;
        _clients = clients;
        foreach (DomainInfo domain in manager.List())
        {
            _known[domain.Uuid] = (domain.Name, domain.Id);
        }
        _manager.LifecycleEvent += OnLifecycleEvent;
        _manager.Rebooted += OnRebooted;
    }

    public void Dispose()
    {
        _manager.LifecycleEvent -= OnLifecycleEvent;
        _manager.Rebooted -= OnRebooted;
    }

    private void OnLifecycleEvent(DomainLifecycleEvent e) =>
        Forward(e.Uuid, EventIdLifecycle, (int)RemoteProcedure.DomainEventCallbackLifecycle, (int)RemoteProcedure.DomainEventLifecycle, (int)e.Event, e.Detail);

    private void OnRebooted(Guid uuid) =>
        Forward(uuid, EventIdReboot, (int)RemoteProcedure.DomainEventCallbackReboot, LegacyReboot, null, 0);

    private void Forward(Guid uuid, int eventId, int callbackProcedure, int legacyProcedure, int? lifecycleEvent, int detail)
    {
        (string name, int id) = Identify(uuid);
        foreach (RpcConnection client in _clients())
        {
            foreach ((int callbackId, bool legacy) in client.State.CallbacksFor(eventId, uuid))
            {
                var header = new RpcHeader(RpcPrograms.Remote, RpcPrograms.RemoteVersion, legacy ? legacyProcedure : callbackProcedure,
                    RpcMessageType.Message, 0, RpcStatus.Ok);
                PacketBuffer packet = PacketBuffer.Start(header, out XdrWriter body);
                if (!legacy)
                {
                    body.WriteInt32(callbackId);
                }
                RemoteDomain.Write(ref body, name, uuid, id);
                if (lifecycleEvent is int @event)
                {
                    body.WriteInt32(@event);
                    body.WriteInt32(detail);
                }
                client.TrySend(packet.ToPacket());
            }
        }
    }

    private (string Name, int Id) Identify(Guid uuid)
    {
        if (_manager.TryGet(uuid, out DomainInfo domain))
        {
            return _known[uuid] = (domain.Name, domain.Id);
        }
        return _known.TryRemove(uuid, out (string Name, int Id) last) ? (last.Name, -1) : ("", -1);
    }
}
