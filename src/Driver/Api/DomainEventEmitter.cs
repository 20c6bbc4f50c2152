using System.Threading.Channels;
using Kvm.Driver.Domains;
using NLog;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// Turns the domain service's events into libvirt-dbus's signals, in the order they were raised: a lifecycle event
/// becomes org.libvirt.Connect.DomainEvent(o domain, i event, i detail) on the Connect path, a guest reboot the
/// org.libvirt.Domain.Reboot() signal on the domain's path. Signals are broadcast (no destination).
/// </summary>
/// <remarks>
/// libvirt-dbus registers its libvirt callbacks only once something has used the Connect object; kvmd emits from the
/// start, which a client that subscribes and then calls (cockpit-machines, the upstream tests) cannot tell apart.
/// </remarks>
internal sealed class DomainEventEmitter : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly IDomainManager _manager;
    private readonly DBusConnection _connection;
    private readonly Channel<(Guid Uuid, int Event, int Detail, bool Reboot)> _queue =
        Channel.CreateUnbounded<(Guid, int, int, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public DomainEventEmitter(IDomainManager manager, DBusConnection connection)
    {
        _manager = manager;
        _connection = connection;
        _manager.LifecycleEvent += OnLifecycleEvent;
        _manager.Rebooted += OnRebooted;
        _loop = Task.Run(EmitLoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _manager.LifecycleEvent -= OnLifecycleEvent;
        _manager.Rebooted -= OnRebooted;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private void OnLifecycleEvent(DomainLifecycleEvent e) => _queue.Writer.TryWrite((e.Uuid, (int)e.Event, e.Detail, false));

    private void OnRebooted(Guid uuid) => _queue.Writer.TryWrite((uuid, 0, 0, true));

    private async Task EmitLoopAsync()
    {
        await foreach ((Guid uuid, int @event, int detail, bool reboot) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            string domainPath = LibvirtPaths.Domain(uuid);
            MessageWriter writer = _connection.GetMessageWriter();
            MessageBuffer signal;
            try
            {
                if (reboot)
                {
                    writer.WriteSignalHeader(null, domainPath, LibvirtInterface.Domain.Name, "Reboot");
                }
                else
                {
                    writer.WriteSignalHeader(null, LibvirtPaths.Connect, LibvirtInterface.Connect.Name, "DomainEvent", "oii");
                    writer.WriteObjectPath(domainPath);
                    writer.WriteInt32(@event);
                    writer.WriteInt32(detail);
                }
                signal = writer.CreateMessage();
            }
            finally
            {
                writer.Dispose();
            }
            if (_connection.TrySendMessage(signal))
            {
                s_log.Debug("Signal {Signal} for {Domain}: event {Event} detail {Detail}", reboot ? "Reboot" : "DomainEvent", uuid, @event, detail);
            }
            else
            {
                s_log.Warn("Could not emit the signal for domain {Domain}: the bus connection is gone", uuid);
            }
        }
    }
}
