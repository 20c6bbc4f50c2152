using Kvm.DBus.Protocol;

namespace Kvm.DBus;

public sealed partial class DBusConnection
{
    private readonly Lock _handlersGate = new();
    private SignalSubscription[] _subscriptions = [];

    /// <summary>
    /// Calls <paramref name="handler"/> for each incoming signal matching <paramref name="rule"/>, without telling
    /// the bus (use <see cref="WatchSignalAsync"/> for that). Handlers run in order on one task, apart from calls.
    /// </summary>
    public IDisposable AddSignalHandler(MatchRule rule, Action<Message> handler)
    {
        var subscription = new SignalSubscription(this, rule, handler);
        lock (_handlersGate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }
        return subscription;
    }

    /// <summary>AddMatch on the bus plus a local handler; disposing it removes both.</summary>
    public async Task<IAsyncDisposable> WatchSignalAsync(MatchRule rule, Action<Message> handler, CancellationToken cancellationToken = default)
    {
        IDisposable local = AddSignalHandler(rule, handler);
        try
        {
            await AddMatchAsync(rule.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            local.Dispose();
            throw;
        }
        return new BusMatch(this, rule.ToString(), local);
    }

    /// <summary>Emits a signal; the writer's header must be a signal header.</summary>
    public ValueTask<uint> EmitSignalAsync(MessageBuffer signal, CancellationToken cancellationToken = default) =>
        signal.Type == MessageType.Signal
            ? SendMessageAsync(signal, cancellationToken)
            : throw new ArgumentException("Not a signal", nameof(signal));

    private void RemoveSubscription(SignalSubscription subscription)
    {
        lock (_handlersGate)
        {
            _subscriptions = _subscriptions.Where(s => s != subscription).ToArray();
        }
    }

    private async Task SignalLoopAsync()
    {
        await foreach (Message signal in _signals.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            using (signal)
            {
                if (signal.Sender == BusName && signal.Interface == BusInterface)
                {
                    OnBusSignal(signal);
                }
                foreach (SignalSubscription subscription in Volatile.Read(ref _subscriptions))
                {
                    if (subscription.Rule.Matches(signal))
                    {
                        try
                        {
                            subscription.Handler(signal);
                        }
                        catch (Exception e)
                        {
                            s_log.Error(e, "Signal handler for {Rule} failed", subscription.Rule);
                        }
                    }
                }
            }
        }
    }

    private sealed class SignalSubscription(DBusConnection connection, MatchRule rule, Action<Message> handler) : IDisposable
    {
        public MatchRule Rule => rule;

        public Action<Message> Handler => handler;

        public void Dispose() => connection.RemoveSubscription(this);
    }

    private sealed class BusMatch(DBusConnection connection, string rule, IDisposable local) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            local.Dispose();
            if (!connection._completion.Task.IsCompleted)
            {
                await connection.RemoveMatchAsync(rule).ConfigureAwait(false);
            }
        }
    }
}
