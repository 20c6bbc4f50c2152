using Kvm.DomainXml;
using Kvm.Driver.Runtime;
using Kvm.Driver.Storage;
using Kvm.Qmp.Client;
using NLog;

namespace Kvm.Driver.Domains;

/// <summary>
/// The domain service: persistent definitions (<see cref="DomainStore"/>), the lifecycle (<see cref="DomainStateMachine"/>),
/// one kvm-vmm per running domain (QMP), runtime status for re-attaching after a restart.
/// Create, then <see cref="InitializeAsync"/> (loads, re-attaches, autostarts); <see cref="DisposeAsync"/> detaches
/// from the running VMs without stopping them, as libvirtd does when it exits.
/// </summary>
public sealed partial class DomainManager : IDomainManager, IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _gate = new();
    private readonly Lock _storeLock = new();
    private readonly Dictionary<Guid, DomainEntry> _byUuid = [];
    private readonly Dictionary<string, DomainEntry> _byName = new(StringComparer.Ordinal);
    private readonly DomainEventDispatcher _events = new();
    private readonly QmpClientOptions _qmpOptions;
    private readonly CancellationTokenSource _disposing = new();
    private readonly List<Task> _pumps = [];
    private int _lastId;
    private bool _disposed;

    public DomainManager(DomainManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Store = new DomainStore(options.StateDirectory);
        Runtime = new RuntimeDirectory(options.RuntimeDirectory);
        _qmpOptions = new QmpClientOptions { ConnectTimeout = options.ConnectTimeout, CommandTimeout = options.CommandTimeout };
    }

    public DomainManagerOptions Options { get; }

    public DomainStore Store { get; }

    public RuntimeDirectory Runtime { get; }

    public string Hostname { get; } = System.Net.Dns.GetHostName();

    public event Action<DomainLifecycleEvent>? LifecycleEvent;

    public event Action<Guid>? Rebooted;

    public IReadOnlyList<DomainInfo> List()
    {
        DomainEntry[] entries;
        lock (_gate)
        {
            entries = [.. _byName.Values];
        }

        return entries.Select(Snapshot).Where(i => i is not null).Select(i => i!).OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
    }

    public bool TryGet(Guid uuid, out DomainInfo info)
    {
        DomainEntry? entry;
        lock (_gate)
        {
            _byUuid.TryGetValue(uuid, out entry);
        }

        info = entry is null ? null! : Snapshot(entry)!;
        return info is not null;
    }

    public DomainInfo LookupByName(string name)
    {
        DomainEntry? entry;
        lock (_gate)
        {
            _byName.TryGetValue(name, out entry);
        }

        return (entry is null ? null : Snapshot(entry)) ?? throw DomainErrors.NoDomainByName(name);
    }

    public DomainInfo LookupByUuid(Guid uuid) => Snapshot(Find(uuid)) ?? throw DomainErrors.NoDomainByUuid(uuid);

    public DomainInfo LookupById(int id)
    {
        DomainEntry? entry;
        lock (_gate)
        {
            entry = id < 0 ? null : _byUuid.Values.FirstOrDefault(e => e.Id == id);
        }

        return (entry is null ? null : Snapshot(entry)) ?? throw DomainErrors.NoDomainById(id);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _disposing.CancelAsync().ConfigureAwait(false);
        List<Vmm.VmmInstance> instances;
        lock (_gate)
        {
            instances = _byUuid.Values.Select(e => e.Vmm).Where(v => v is not null).Select(v => v!).ToList();
        }

        foreach (var instance in instances)
        {
            await instance.DisposeAsync().ConfigureAwait(false);
        }

        Task[] pumps;
        lock (_gate)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps).ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    /// <summary>The entry for a uuid, or libvirt's "no domain with matching uuid".</summary>
    private DomainEntry Find(Guid uuid)
    {
        lock (_gate)
        {
            return _byUuid.TryGetValue(uuid, out DomainEntry? entry) ? entry : throw DomainErrors.NoDomainByUuid(uuid);
        }
    }

    private DomainInfo? Snapshot(DomainEntry entry)
    {
        DomainInfo info;
        Vmm.VmmInstance? vmm;
        lock (_gate)
        {
            if (entry.Removed)
            {
                return null;
            }

            var def = entry.Current.Definition;
            vmm = entry.Vmm;
            info = new DomainInfo(entry.Uuid, entry.Name, entry.Id, entry.Persistent is not null, entry.Autostart, entry.Updated,
                entry.State, entry.Reason, def.Os.Type, def.Memory.TotalKiB, def.Memory.CurrentKiB, def.Vcpu.Current, 0);
        }

        return vmm is null ? info : info with { CpuTimeNs = vmm.Process.CpuTimeNs };
    }

    private void Raise(DomainEntry entry, DomainEventType type, int detail) =>
        Raise(new DomainLifecycleEvent(entry.Uuid, type, detail));

    private void Raise(DomainLifecycleEvent lifecycleEvent)
    {
        s_log.Info("Domain {Uuid} event {Event} detail {Detail}", lifecycleEvent.Uuid, lifecycleEvent.Event, lifecycleEvent.Detail);
        _events.Post(() => LifecycleEvent?.Invoke(lifecycleEvent));
    }

    private void RaiseRebooted(Guid uuid)
    {
        s_log.Info("Domain {Uuid} rebooted", uuid);
        _events.Post(() => Rebooted?.Invoke(uuid));
    }

    private static string Format(DomainDocument document, DomainFormatFlags flags = DomainFormatFlags.Secure) =>
        DomainXmlFormatter.Format(document, flags);
}
