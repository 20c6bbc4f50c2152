using System.Threading.Channels;
using Kvm.Driver.Secrets;
using NLog;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The driver core's secret lifecycle events as libvirt-dbus's org.libvirt.Connect.SecretEvent(o secret, i event,
/// i detail) on the Connect path (detail 0, as libvirt has none), in order. Broadcast, no destination.
/// </summary>
internal sealed class SecretEventEmitter : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly SecretManager _secrets;
    private readonly DBusConnection _connection;
    private readonly Channel<SecretLifecycleEvent> _queue =
        Channel.CreateUnbounded<SecretLifecycleEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public SecretEventEmitter(SecretManager secrets, DBusConnection connection)
    {
        _secrets = secrets;
        _connection = connection;
        _secrets.LifecycleEvent += OnEvent;
        _loop = Task.Run(EmitLoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _secrets.LifecycleEvent -= OnEvent;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private void OnEvent(SecretLifecycleEvent e) => _queue.Writer.TryWrite(e);

    private async Task EmitLoopAsync()
    {
        await foreach (SecretLifecycleEvent e in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            MessageWriter writer = _connection.GetMessageWriter();
            MessageBuffer signal;
            try
            {
                writer.WriteSignalHeader(null, LibvirtPaths.Connect, LibvirtInterface.Connect.Name, "SecretEvent", "oii");
                writer.WriteObjectPath(LibvirtPaths.Secret(e.Uuid));
                writer.WriteInt32((int)e.Event);
                writer.WriteInt32(0);
                signal = writer.CreateMessage();
            }
            finally
            {
                writer.Dispose();
            }
            if (!_connection.TrySendMessage(signal))
            {
                s_log.Warn("Could not emit the signal for secret {Secret}: the bus connection is gone", e.Uuid);
            }
        }
    }
}
