using System.Threading.Channels;
using NLog;

namespace Kvm.Driver.Domains;

/// <summary>Raises the manager's events on one task, outside every lock, in the order they were queued.</summary>
internal sealed class DomainEventDispatcher : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    public DomainEventDispatcher()
    {
        _pump = Task.Run(PumpAsync);
    }

    public void Post(Action raise) => _queue.Writer.TryWrite(raise);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

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
