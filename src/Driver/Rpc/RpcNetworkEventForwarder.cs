using Kvm.Driver.Networks;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Sends the driver core's network lifecycle events to every client callback that wants them, as
/// NETWORK_EVENT_LIFECYCLE messages (callback id, network, event, detail 0: libvirt 9.0 has no network event details).
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

    private void OnLifecycleEvent(NetworkLifecycleEvent e) =>
        RpcObjectEvents.Send(_clients(), RpcEventFamily.Network, EventIdLifecycle, RemoteProcedure.NetworkEventLifecycle, e.Name, e.Uuid, ((int)e.Event, 0));
}
