using System.Threading.Channels;
using Kvm.Driver.Pools;
using NLog;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The driver core's storage pool events as libvirt-dbus's signals, in order: a lifecycle event becomes
/// org.libvirt.Connect.StoragePoolEvent(o storagePool, i event, i detail) on the Connect path (detail 0, as libvirt
/// has none), a refresh the org.libvirt.StoragePool.Refresh() signal on the pool's path. Broadcast, no destination.
/// </summary>
internal sealed class StoragePoolEventEmitter : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly StoragePoolManager _pools;
    private readonly DBusConnection _connection;
    private readonly Channel<StoragePoolLifecycleEvent> _queue =
        Channel.CreateUnbounded<StoragePoolLifecycleEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public StoragePoolEventEmitter(StoragePoolManager pools, DBusConnection connection)
    {
        _pools = pools;
        _connection = connection;
        _pools.LifecycleEvent += OnEvent;
        _loop = Task.Run(EmitLoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _pools.LifecycleEvent -= OnEvent;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private void OnEvent(StoragePoolLifecycleEvent e) => _queue.Writer.TryWrite(e);

    private async Task EmitLoopAsync()
    {
        await foreach (StoragePoolLifecycleEvent e in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            string poolPath = LibvirtPaths.StoragePool(e.Uuid);
            MessageWriter writer = _connection.GetMessageWriter();
            MessageBuffer signal;
            try
            {
                if (e.Event == StoragePoolEventType.Refreshed)
                {
                    writer.WriteSignalHeader(null, poolPath, LibvirtInterface.StoragePool.Name, "Refresh");
                }
                else
                {
                    writer.WriteSignalHeader(null, LibvirtPaths.Connect, LibvirtInterface.Connect.Name, "StoragePoolEvent", "oii");
                    writer.WriteObjectPath(poolPath);
                    writer.WriteInt32((int)e.Event);
                    writer.WriteInt32(0);
                }
                signal = writer.CreateMessage();
            }
            finally
            {
                writer.Dispose();
            }
            if (!_connection.TrySendMessage(signal))
            {
                s_log.Warn("Could not emit the signal for storage pool {Pool}: the bus connection is gone", e.Uuid);
            }
        }
    }
}
