using Kvm.Driver.Networks;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Sends the driver core's network lifecycle events to every client callback that wants them, as
/// NETWORK_EVENT_LIFECYCLE messages (callback id, network, event, detail 0: libvirt 9.0 has no network event details).
/// Sending never waits: a client whose queue is full is cut off by its connection.
/// </summary>
internal sealed class RpcNetworkEventForwarder : IDisposable
{
    private const int EventIdLifecycle = 0; // VIR_NETWORK_EVENT_ID_LIFECYCLE

    private readonly NetworkManager _networks;
    private readonly Func<IEnumerable<RpcConnection>> _clients;

    public RpcNetworkEventForwarder(NetworkManager networks, Func<IEnumerable<RpcConnection>> clients)
    {
        _networks = networks;
        _clients = clients;
        _networks.LifecycleEvent += OnLifecycleEvent;
    }

    public void Dispose() => _networks.LifecycleEvent -= OnLifecycleEvent;

    private void OnLifecycleEvent(NetworkLifecycleEvent e)
    {
        foreach (RpcConnection client in _clients())
        {
            foreach ((int callbackId, _) in client.State.CallbacksFor(EventIdLifecycle, e.Uuid, RpcEventFamily.Network))
            {
                var header = new RpcHeader(RpcPrograms.Remote, RpcPrograms.RemoteVersion, (int)RemoteProcedure.NetworkEventLifecycle,
                    RpcMessageType.Message, 0, RpcStatus.Ok);
                PacketBuffer packet = PacketBuffer.Start(header, out XdrWriter body);
                body.WriteInt32(callbackId);
                RemoteNetwork.Write(ref body, e.Name, e.Uuid);
                body.WriteInt32((int)e.Event);
                body.WriteInt32(0);
                client.TrySend(packet.ToPacket());
            }
        }
    }
}
