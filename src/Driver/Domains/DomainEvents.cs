using System.Threading.Channels;
using NLog;

namespace Kvm.Driver.Domains;

/// <summary>
/// The driver core's events (libvirt's event queue): lifecycle events and guest reboots, raised on one task, outside
/// every lock, in the order they were posted, so each domain's events arrive in order. Services post them while they
/// hold the table's gate, right where the state changes, so the order of the events is the order of the changes.
/// A subscriber that throws is logged; it does not stop the events of any other domain.
/// </summary>
internal sealed class DomainEvents : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    public DomainEvents()
    {
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Lifecycle events (libvirt's VIR_DOMAIN_EVENT_ID_LIFECYCLE).</summary>
    public event Action<DomainLifecycleEvent>? LifecycleEvent;

    /// <summary>The guest rebooted (VIR_DOMAIN_EVENT_ID_REBOOT).</summary>
    public event Action<Guid>? Rebooted;

    public void Raise(Guid uuid, DomainEventType type, int detail)
    {
        var lifecycleEvent = new DomainLifecycleEvent(uuid, type, detail);
        s_log.Info("Domain {Uuid} event {Event} detail {Detail}", uuid, type, detail);
        Post(() => LifecycleEvent?.Invoke(lifecycleEvent));
    }

    public void RaiseRebooted(Guid uuid)
    {
        s_log.Info("Domain {Uuid} rebooted", uuid);
        Post(() => Rebooted?.Invoke(uuid));
    }

    /// <summary>Raises the events of a state machine transition for one domain, in the transition's order.</summary>
    public void Raise(Guid uuid, DomainTransition transition)
    {
        foreach (var (type, detail) in transition.Events)
        {
            Raise(uuid, type, detail);
        }

        if (transition.Rebooted)
        {
            RaiseRebooted(uuid);
        }
    }

    /// <summary>Delivers what is queued, then stops; later events are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    private void Post(Action raise) => _queue.Writer.TryWrite(raise);

    private async Task PumpAsync()
    {
        await foreach (Action raise in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                raise();
            }
            catch (Exception e)
            {
                // A subscriber's bug must not stop the events of every other domain.
                s_log.Error(e, "A domain event handler failed");
            }
        }
    }
}
