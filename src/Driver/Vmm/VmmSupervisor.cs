using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.Driver.Runtime;
using Kvm.Driver.Storage;
using Kvm.Qmp;
using Kvm.Qmp.Client;
using Kvm.Qmp.Commands;
using NLog;

namespace Kvm.Driver.Vmm;

/// <summary>
/// VMM supervision for the driver core: spawns one kvm-vmm per running domain, owns its QMP connection and its files
/// in the runtime directory, feeds its events to whoever watches it, handles its exit (a monitor that closes without
/// the process going is killed), and re-attaches to the VMMs that outlived a previous kvmd. It knows processes,
/// sockets and files, never what a domain may do: the lifecycle decides, and tells it what to start and stop.
/// <see cref="DisposeAsync"/> detaches from every VMM and leaves them running, as libvirtd does when it exits.
/// </summary>
internal sealed class VmmSupervisor : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VmmSupervisorOptions _options;
    private readonly QmpClientOptions _qmpOptions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly HashSet<VmmInstance> _watched = [];
    private readonly List<Task> _tasks = [];
    private bool _disposed;

    public VmmSupervisor(RuntimeDirectory runtime, VmmSupervisorOptions options)
    {
        Runtime = runtime;
        _options = options;
        _qmpOptions = new QmpClientOptions { ConnectTimeout = options.ConnectTimeout, CommandTimeout = options.CommandTimeout };
        Stopping = _stopping.Token;
    }

    public RuntimeDirectory Runtime { get; }

    /// <summary>Cancelled when kvmd goes away: work on a VMM's behalf stops, and the VMM keeps running.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>
    /// Writes the live definition and starts kvm-vmm on it, paused, connected to its monitor; its console pty comes
    /// from query-chardev. A VMM that fails to come up is gone when this throws (<see cref="VmmLaunchException"/>,
    /// <see cref="IOException"/>, <see cref="UnauthorizedAccessException"/> or a cancellation).
    /// </summary>
    public async Task<VmmInstance> LaunchAsync(string name, string liveXml, CancellationToken cancellationToken)
    {
        var request = new VmmLaunchRequest(_options.VmmPath, Runtime.XmlPathOf(name), Runtime.QmpPathOf(name), Runtime.LogPathOf(name));
        Runtime.EnsureDirectory();
        AtomicFile.WriteAllText(request.DomainXmlPath, liveXml);
        return await VmmInstance.LaunchAsync(request, _qmpOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What kvm-vmm said about a start that failed (its error lines, else its last lines), for libvirt's message.</summary>
    public string StartErrorOf(string name) => VmmLog.ErrorOf(VmmLog.ReadFrom(Runtime.LogPathOf(name), 0));

    /// <summary>Records a running domain's status, without which a restarted kvmd could not find its VMM again.</summary>
    public void RecordStatus(RuntimeStatus status) => Runtime.WriteStatus(status);

    /// <summary>Rewrites a running domain's status (a reboot in progress, a live metadata edit); false when it has none.</summary>
    public bool UpdateStatus(Guid uuid, Func<RuntimeStatus, RuntimeStatus> update)
    {
        if (Runtime.ReadAll().FirstOrDefault(s => s.Uuid == uuid) is not { } status)
        {
            return false;
        }

        RuntimeStatus updated = update(status);
        if (updated != status)
        {
            Runtime.WriteStatus(updated);
        }

        return true;
    }

    /// <summary>Removes what a domain that no longer runs left in the runtime directory, except its log.</summary>
    public void Clean(string name) => Runtime.Clean(name);

    /// <summary>
    /// Feeds a VMM's events to <paramref name="onEvent"/>, in order, until its monitor closes; then waits for the
    /// process to go (killing it if it lingers), closes the monitor, cleans its files and calls <paramref name="onExited"/>.
    /// Neither is called once kvmd is going away.
    /// </summary>
    public void Watch(string name, VmmInstance vmm, Action<VmmEvent> onEvent, Action onExited)
    {
        lock (_lock)
        {
            _watched.Add(vmm);
            Track(WatchAsync(name, vmm, onEvent, onExited));
        }
    }

    /// <summary>Work on a VMM's behalf that kvmd waits for when it goes away (it should stop on <see cref="Stopping"/>).</summary>
    public void Track(Task task)
    {
        lock (_lock)
        {
            _tasks.RemoveAll(static t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    /// <summary>libvirt's destroy: SIGTERM, SIGKILL after the grace period.</summary>
    public Task TerminateAsync(VmmInstance vmm) => vmm.Process.TerminateAsync(_options.DestroyGracePeriod, _options.KillTimeout);

    /// <summary>SIGKILL; the watch reports the exit.</summary>
    public static void Kill(VmmInstance vmm) => vmm.Process.Signal(Interop.LibC.SigKill);

    /// <summary>Kills a VMM kvmd will not keep (never watched), and closes its monitor.</summary>
    public static async Task AbandonAsync(VmmInstance vmm)
    {
        Kill(vmm);
        try
        {
            await vmm.Process.Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            s_log.Error("kvm-vmm {Pid} did not exit after SIGKILL", vmm.Process.Pid);
        }

        await vmm.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Lets go of a VMM kvmd will not manage, leaving it running.</summary>
    public static void Release(VmmInstance vmm) => _ = vmm.DisposeAsync().AsTask();

    /// <summary>
    /// Finds the VMMs of the runtime directory again: each that is still the same live process, answers on its monitor
    /// and has a live definition that parses is adopted (not yet watched); the others are stopped, their files removed,
    /// and reported as gone, as libvirt's reconnect does.
    /// </summary>
    public async Task<VmmReattachment> ReattachAsync(CancellationToken cancellationToken)
    {
        var adopted = new List<VmmAdoption>();
        var gone = new List<RuntimeStatus>();
        foreach (RuntimeStatus status in Runtime.ReadAll())
        {
            DomainDocument? live = TryParseLive(status.LiveXml, status.Name);
            VmmProcess? process = VmmProcess.Adopt(status.Pid, status.ProcessStartTime);
            VmmInstance? vmm = process is null ? null
                : await VmmInstance.AttachAsync(process, status.QmpSocket, status.ConsolePath, _qmpOptions, cancellationToken).ConfigureAwait(false);
            QmpRunState? runState = vmm is null ? null : await QueryRunStateAsync(vmm, cancellationToken).ConfigureAwait(false);
            if (vmm is not null && (runState is null || live is null))
            {
                s_log.Error("Cannot take over kvm-vmm {Pid} of {Domain}; stopping it", status.Pid, status.Name);
                await TerminateAsync(vmm).ConfigureAwait(false);
                await vmm.DisposeAsync().ConfigureAwait(false);
                vmm = null;
            }

            if (vmm is null || live is null || runState is null)
            {
                Runtime.Clean(status.Name);
                s_log.Warn("Domain {Domain} stopped while kvmd was not running (kvm-vmm {Pid})", status.Name, status.Pid);
                gone.Add(status);
                continue;
            }

            adopted.Add(new VmmAdoption(status, vmm, live, runState.Value));
        }

        return new VmmReattachment(adopted, gone);
    }

    /// <summary>Stops the work on the VMMs' behalf and closes their monitors; the VMs keep running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        VmmInstance[] watched;
        lock (_lock)
        {
            watched = [.. _watched];
        }

        foreach (var instance in watched)
        {
            await instance.DisposeAsync().ConfigureAwait(false);
        }

        Task[] tasks;
        lock (_lock)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task WatchAsync(string name, VmmInstance vmm, Action<VmmEvent> onEvent, Action onExited)
    {
        await Task.Yield();
        using var scope = ScopeContext.PushProperty("Domain", name);
        await foreach (QmpEventMessage message in vmm.Qmp.Events.ConfigureAwait(false))
        {
            if (VmmEvent.TryFromQmp(message, out VmmEvent vmmEvent))
            {
                s_log.Debug("Domain {Domain} VMM event {Event}", name, message.Name);
                onEvent(vmmEvent);
            }
        }

        if (Stopping.IsCancellationRequested)
        {
            return; // kvmd is going away; the VM keeps running.
        }

        try
        {
            await vmm.Process.Exited.WaitAsync(_options.KillTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            s_log.Error("kvm-vmm {Pid} closed its monitor but did not exit; killing it", vmm.Process.Pid);
            Kill(vmm);
            try
            {
                await vmm.Process.Exited.WaitAsync(_options.KillTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Unkillable (stuck in the kernel): its monitor is gone all the same, so the domain is no longer running.
                s_log.Error("kvm-vmm {Pid} did not exit after SIGKILL; treating domain {Domain} as stopped", vmm.Process.Pid, name);
            }
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
            return; // the watch on an adopted process ended with kvmd
        }

        lock (_lock)
        {
            _watched.Remove(vmm);
        }

        try
        {
            await vmm.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Runtime.Clean(name);
            onExited();
        }
    }

    private static async Task<QmpRunState?> QueryRunStateAsync(VmmInstance vmm, CancellationToken cancellationToken)
    {
        try
        {
            QmpStatusInfo status = await vmm.Qmp.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            return status.Status;
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException or TimeoutException or InvalidOperationException or System.Text.Json.JsonException)
        {
            s_log.Error("query-status failed on re-attach: {Error}", e.Message);
            return null;
        }
    }

    private static DomainDocument? TryParseLive(string xml, string name)
    {
        try
        {
            return DomainXmlParser.Parse(xml, null, DomainParseFlags.SkipValidate);
        }
        catch (DomainXmlException e)
        {
            s_log.Error("Runtime status of {Domain} holds a definition that does not parse: {Error}", name, e.Message);
            return null;
        }
    }
}
