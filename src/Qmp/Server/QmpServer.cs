using Kvm.Qmp.Commands;
using Kvm.Qmp.Protocol;

namespace Kvm.Qmp.Server;

/// <summary>
/// The QMP side of one VMM process: the machine, the command registry, the event hub and any number
/// of monitors (one per -qmp address), which all share them.
/// </summary>
public sealed class QmpServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<QmpMonitor> _monitors = [];

    public QmpServer(IQmpMachine machine, QmpEventHub events, QmpCommandRegistry? registry = null, QmpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(events);
        Machine = machine;
        Events = events;
        Registry = registry ?? QmpCommandRegistry.CreateDefault();
        Options = options ?? new QmpServerOptions();
        byte[] version = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Options.Version, QmpJsonContext.Default.QmpVersionInfo);
        Greeting = QmpMessages.Greeting(version, Options.AdvertiseOob ? ["oob"] : []);
    }

    public IQmpMachine Machine { get; }

    public QmpEventHub Events { get; }

    public QmpCommandRegistry Registry { get; }

    public QmpServerOptions Options { get; }

    internal byte[] Greeting { get; }

    public IReadOnlyList<QmpMonitor> Monitors
    {
        get
        {
            lock (_gate)
            {
                return _monitors.ToArray();
            }
        }
    }

    /// <summary>Starts listening on <c>unix:PATH,server</c> or <c>tcp:127.0.0.1:PORT,server</c>.</summary>
    public QmpMonitor AddMonitor(string address)
    {
        QmpAddress parsed = QmpAddress.Parse(address);
        lock (_gate)
        {
            var monitor = new QmpMonitor(this, parsed, $"monitor{_monitors.Count}");
            _monitors.Add(monitor);
            return monitor;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (QmpMonitor monitor in Monitors)
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
        }
    }
}
