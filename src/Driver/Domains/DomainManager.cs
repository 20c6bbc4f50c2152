using Kvm.Vmm.Support;
using Kvm.Driver.Runtime;
using Kvm.Driver.Storage;
using Kvm.Driver.Vmm;
using NLog;

namespace Kvm.Driver.Domains;

/// <summary>
/// The driver core's one entry point for the front ends (the org.libvirt D-Bus objects, libvirt's RPC protocol): it
/// composes the core's services and forwards each call to the one that owns it, deciding nothing itself.
/// <list type="bullet">
/// <item><see cref="DomainTable"/>: the domains by uuid and name, and the gate over their fields.</item>
/// <item><see cref="DomainDefinitions"/>: the state directory, define/undefine, autostart, rename, metadata.</item>
/// <item><see cref="DomainLifecycle"/>: jobs and the state machine: start, stop, suspend, reboot; VMM events applied.</item>
/// <item><see cref="VmmSupervisor"/>: the kvm-vmm processes, their QMP connections, re-attach, exits.</item>
/// <item><see cref="DomainEvents"/>: lifecycle and reboot events, in order.</item>
/// <item><see cref="DomainDisks"/> and <see cref="DomainVcpus"/>: what a running domain's monitor reports.</item>
/// </list>
/// Create, then <see cref="InitializeAsync"/> (loads, re-attaches, autostarts); <see cref="DisposeAsync"/> detaches
/// from the running VMs without stopping them, as libvirtd does when it exits.
/// </summary>
public sealed class DomainManager : IDomainManager, IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly DomainTable _table = new();
    private readonly DomainEvents _events = new();
    private readonly DomainDefinitions _definitions;
    private readonly VmmSupervisor _supervisor;
    private readonly DomainLifecycle _lifecycle;
    private readonly DomainDisks _disks;
    private readonly DomainInterfaces _interfaces;
    private readonly DomainVcpus _vcpus;
    private readonly DomainMemory _memory;
    private bool _disposed;

    public DomainManager(DomainManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Runtime = new RuntimeDirectory(options.RuntimeDirectory);
        var firmware = new DomainFirmware(Path.Combine(options.StateDirectory, "nvram"),
            options.FirmwareDescriptorDirectories ?? FirmwareDescriptors.DefaultDirectories());
        _definitions = new DomainDefinitions(new DomainStore(options.StateDirectory), _table, _events, Runtime, options.VmmPath, firmware);
        _supervisor = new VmmSupervisor(Runtime, VmmSupervisorOptions.From(options));
        _lifecycle = new DomainLifecycle(_table, _definitions, _events, _supervisor, options.KillTimeout, firmware, options.NetworkBridges);
        _disks = new DomainDisks(_table);
        _interfaces = new DomainInterfaces(_table, options.ProcNetDirectory, options.NetworkLeases);
        _vcpus = new DomainVcpus(_table);
        _memory = new DomainMemory(_table);
    }

    public DomainManagerOptions Options { get; }

    public DomainStore Store => _definitions.Store;

    public RuntimeDirectory Runtime { get; }

    public string Hostname { get; } = System.Net.Dns.GetHostName();

    public event Action<DomainLifecycleEvent>? LifecycleEvent
    {
        add => _events.LifecycleEvent += value;
        remove => _events.LifecycleEvent -= value;
    }

    public event Action<Guid>? Rebooted
    {
        add => _events.Rebooted += value;
        remove => _events.Rebooted -= value;
    }

    /// <summary>Loads the definitions, re-attaches to the VMs that still run, then starts the autostart domains.</summary>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        _definitions.Load();
        Runtime.EnsureDirectory();
        await _lifecycle.ReattachAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (uuid, name) in _definitions.InactiveAutostart())
        {
            try
            {
                s_log.Info("Autostarting domain {Domain}", name);
                await _lifecycle.StartAsync(uuid, paused: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One domain that cannot start does not keep kvmd or the other autostart domains from starting.
                s_log.Error("Failed to autostart domain {Domain}: {Error}", name, e.Message);
            }
        }
    }

    public IReadOnlyList<DomainInfo> List() => _table.List();

    public bool TryGet(Guid uuid, out DomainInfo info) => _table.TryGet(uuid, out info);

    public DomainInfo LookupByName(string name) => _table.LookupByName(name);

    public DomainInfo LookupByUuid(Guid uuid) => _table.LookupByUuid(uuid);

    public DomainInfo LookupById(int id) => _table.LookupById(id);

    public DomainInfo Define(string xml) => _definitions.Define(xml);

    /// <summary>The snapshots' veto over undefine and rename; set once, before the front ends serve.</summary>
    public IDomainSnapshotGuard? SnapshotGuard
    {
        get => _definitions.SnapshotGuard;
        set => _definitions.SnapshotGuard = value;
    }

    /// <summary>
    /// Runs <paramref name="action"/> holding the domain's job, so that no start, stop or rename of it runs meanwhile;
    /// it sees the domain as it is once the job is held. Fails as libvirt does when another job holds the domain.
    /// </summary>
    public T WithDomainJob<T>(Guid uuid, Func<DomainInfo, T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        DomainEntry entry = _table.Find(uuid);
        if (!entry.Job.Wait(TimeSpan.FromSeconds(30)))
        {
            throw DomainErrors.Timeout("cannot acquire state change lock (held by another job)");
        }
        try
        {
            return action(_table.LookupByUuid(uuid));
        }
        finally
        {
            entry.Job.Release();
        }
    }

    /// <summary>Replaces a defined domain's definition with one a snapshot kept (DEFINED/FROM_SNAPSHOT).</summary>
    public DomainInfo DefineFromSnapshot(string xml) => _definitions.Define(xml, DomainEventDetail.DefinedFromSnapshot);

    public void Undefine(Guid uuid, uint flags) => _definitions.Undefine(uuid, flags);

    public string GetXmlDesc(Guid uuid, DomainXmlFlags flags) => _definitions.GetXmlDesc(uuid, flags);

    public void SetAutostart(Guid uuid, bool autostart) => _definitions.SetAutostart(uuid, autostart);

    public void Rename(Guid uuid, string newName) => _definitions.Rename(uuid, newName);

    public DomainInfo AttachDevice(Guid uuid, string deviceXml, uint flags) => _definitions.AttachDevice(uuid, deviceXml, flags);

    public DomainInfo DetachDevice(Guid uuid, string deviceXml, uint flags) => _definitions.DetachDevice(uuid, deviceXml, flags);

    public string GetMetadata(Guid uuid, int type, string? uri, uint flags) => _definitions.GetMetadata(uuid, type, uri, flags);

    public void SetMetadata(Guid uuid, int type, string? metadata, string? key, string? uri, uint flags) =>
        _definitions.SetMetadata(uuid, type, metadata, key, uri, flags);

    public ValueTask<DomainInfo> CreateTransientAsync(string xml, CancellationToken cancellationToken) =>
        _lifecycle.CreateTransientAsync(xml, paused: false, cancellationToken);

    public ValueTask<DomainInfo> CreateTransientAsync(string xml, bool paused, CancellationToken cancellationToken) =>
        _lifecycle.CreateTransientAsync(xml, paused, cancellationToken);

    public ValueTask StartAsync(Guid uuid, CancellationToken cancellationToken) => _lifecycle.StartAsync(uuid, paused: false, cancellationToken);

    public ValueTask StartAsync(Guid uuid, bool paused, CancellationToken cancellationToken) => _lifecycle.StartAsync(uuid, paused, cancellationToken);

    public ValueTask ShutdownAsync(Guid uuid, CancellationToken cancellationToken) => _lifecycle.ShutdownAsync(uuid, cancellationToken);

    public ValueTask DestroyAsync(Guid uuid, CancellationToken cancellationToken) => _lifecycle.DestroyAsync(uuid, cancellationToken);

    public ValueTask RebootAsync(Guid uuid, CancellationToken cancellationToken) => _lifecycle.RebootAsync(uuid, cancellationToken);

    public ValueTask ResetAsync(Guid uuid, CancellationToken cancellationToken) => _lifecycle.ResetAsync(uuid, cancellationToken);

    public ValueTask SuspendAsync(Guid uuid, CancellationToken cancellationToken) => _lifecycle.SuspendAsync(uuid, cancellationToken);

    public ValueTask ResumeAsync(Guid uuid, CancellationToken cancellationToken) => _lifecycle.ResumeAsync(uuid, cancellationToken);

    public ValueTask<IReadOnlyList<DomainVcpuInfo>> GetVcpusAsync(Guid uuid, CancellationToken cancellationToken) => _vcpus.GetVcpusAsync(uuid, cancellationToken);

    public DomainControlInfo GetControlInfo(Guid uuid) => _lifecycle.GetControlInfo(uuid);

    public string GetConsolePty(Guid uuid, string? devName) => _lifecycle.GetConsolePty(uuid, devName);

    public ValueTask<IReadOnlyList<DomainBlockStats>> GetBlockStatsAsync(Guid uuid, CancellationToken cancellationToken) =>
        _disks.GetBlockStatsAsync(uuid, cancellationToken);

    public InterfaceCounters GetInterfaceStats(Guid uuid, string device) => _interfaces.GetStats(uuid, device);

    public IReadOnlyList<DomainInterfaceStats> GetAllInterfaceStats(Guid uuid) => _interfaces.GetAllStats(uuid);

    public ValueTask<IReadOnlyList<DomainMemoryStat>> GetMemoryStatsAsync(Guid uuid, CancellationToken cancellationToken) =>
        _memory.GetStatsAsync(uuid, cancellationToken);

    public ValueTask SetMemoryAsync(Guid uuid, ulong kib, CancellationToken cancellationToken) => _memory.SetMemoryAsync(uuid, kib, cancellationToken);

    public ValueTask SetMemoryStatsPeriodAsync(Guid uuid, int period, CancellationToken cancellationToken) =>
        _memory.SetStatsPeriodAsync(uuid, period, cancellationToken);

    public IReadOnlyList<DomainInterfaceAddresses> GetInterfaceAddresses(Guid uuid, uint source, uint flags) => _interfaces.GetAddresses(uuid, source, flags);

    public ValueTask<IReadOnlyList<(string Disk, int Error)>> GetDiskErrorsAsync(Guid uuid, CancellationToken cancellationToken) =>
        _disks.GetDiskErrorsAsync(uuid, cancellationToken);

    public ValueTask BlockResizeAsync(Guid uuid, string disk, ulong size, uint flags, CancellationToken cancellationToken) =>
        _disks.BlockResizeAsync(uuid, disk, size, flags, cancellationToken);

    /// <summary>Detaches from the VMs (they keep running), then delivers the events already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _supervisor.DisposeAsync().ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
    }
}
