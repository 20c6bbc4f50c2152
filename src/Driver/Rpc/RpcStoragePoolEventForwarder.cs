using Kvm.Driver.Pools;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Sends the driver core's storage pool events to every client callback that wants them: lifecycle events as
/// STORAGE_POOL_EVENT_LIFECYCLE (callback id, pool, event, detail 0: libvirt 9.0 has no pool event details), refreshes
/// as STORAGE_POOL_EVENT_REFRESH (callback id, pool).
/// </summary>
internal sealed class RpcStoragePoolEventForwarder : IDisposable
{
    private const int EventIdLifecycle = 0, EventIdRefresh = 1; // virStoragePoolEventID

    private readonly StoragePoolManager _pools;
    private readonly Func<IEnumerable<RpcConnection>> _clients;

    public RpcStoragePoolEventForwarder(StoragePoolManager pools, Func<IEnumerable<RpcConnection>> clients)
    {
        _pools = pools;
        _clients = clients;
        _pools.LifecycleEvent += OnEvent;
    }

    public void Dispose() => _pools.LifecycleEvent -= OnEvent;

    private void OnEvent(StoragePoolLifecycleEvent e)
    {
        if (e.Event == StoragePoolEventType.Refreshed)
        {
            RpcObjectEvents.Send(_clients(), RpcEventFamily.StoragePool, EventIdRefresh, RemoteProcedure.StoragePoolEventRefresh, e.Name, e.Uuid, null);
        }
        else
        {
            RpcObjectEvents.Send(_clients(), RpcEventFamily.StoragePool, EventIdLifecycle, RemoteProcedure.StoragePoolEventLifecycle,
                e.Name, e.Uuid, ((int)e.Event, 0));
        }
    }
}
