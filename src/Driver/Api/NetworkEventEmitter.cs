using System.Threading.Channels;
using Kvm.Driver.Networks;
using NLog;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The driver core's network events as libvirt-dbus's org.libvirt.Connect.NetworkEvent(o network, i event) on the
/// Connect path (no detail, as libvirt-dbus sends it), in order. Broadcast, no destination.
/// </summary>
internal sealed class NetworkEventEmitter : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly NetworkManager _networks;
    private readonly DBusConnection _connection;
    private readonly Channel<NetworkLifecycleEvent> _queue =
        Channel.CreateUnbounded<NetworkLifecycleEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public NetworkEventEmitter(NetworkManager networks, DBusConnection connection)
    {
        _networks = networks;
        _connection = connection;
        _networks.LifecycleEvent += OnEvent;
        _loop = Task.Run(EmitLoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _networks.LifecycleEvent -= OnEvent;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private void OnEvent(NetworkLifecycleEvent e) => _queue.Writer.TryWrite(e);

    private async Task EmitLoopAsync()
    {
        await foreach (NetworkLifecycleEvent e in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            MessageWriter writer = _connection.GetMessageWriter();
            MessageBuffer signal;
            try
            {
                writer.WriteSignalHeader(null, LibvirtPaths.Connect, LibvirtInterface.Connect.Name, "NetworkEvent", "oi");
                writer.WriteObjectPath(LibvirtPaths.Network(e.Uuid));
                writer.WriteInt32((int)e.Event);
                signal = writer.CreateMessage();
            }
            finally
            {
                writer.Dispose();
            }
            if (!_connection.TrySendMessage(signal))
            {
                s_log.Warn("Could not emit the signal for network {Network}: the bus connection is gone", e.Uuid);
            }
        }
    }
}
