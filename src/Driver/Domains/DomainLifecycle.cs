using System.Text.Json.Nodes;
using Kvm.DomainXml;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;
using NLog;

namespace Kvm.Driver.Domains;

/// <summary>
/// Jobs and lifecycle of the driver core: libvirt's per-domain job (one state-changing operation at a time per domain,
/// <see cref="DomainEntry.Job"/>), the operations that start, stop, pause and reboot a domain, each gated by
/// <see cref="DomainStateMachine"/>, and the VMM's events and exit applied to the domain's state through it. It asks
/// <see cref="VmmSupervisor"/> for processes and QMP and posts the resulting events to <see cref="DomainEvents"/>.
/// </summary>
internal sealed partial class DomainLifecycle
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly DomainTable _table;
    private readonly DomainDefinitions _definitions;
    private readonly DomainEvents _events;
    private readonly VmmSupervisor _supervisor;
    private readonly TimeSpan _killTimeout;

    private readonly DomainFirmware? _firmware;

    private readonly Func<string, string>? _networkBridges;

    public DomainLifecycle(DomainTable table, DomainDefinitions definitions, DomainEvents events, VmmSupervisor supervisor, TimeSpan killTimeout,
        DomainFirmware? firmware = null, Func<string, string>? networkBridges = null)
    {
        _firmware = firmware;
        _networkBridges = networkBridges;
        _table = table;
        _definitions = definitions;
        _events = events;
        _supervisor = supervisor;
        _killTimeout = killTimeout;
    }

    public async ValueTask<DomainInfo> CreateTransientAsync(string xml, bool paused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(xml);
        DomainDocument document = _definitions.ParseNewDefinition(xml);
        var def = document.Definition;
        DomainEntry? existing;
        lock (_table.Gate)
        {
            _table.CheckIdentityLocked(def.Name, def.Uuid);
            _table.TryFindLocked(def.Uuid, out existing);
        }

        DomainEntry entry = existing ?? new DomainEntry(def.Uuid, def.Name);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int id = _definitions.AdmitForCreate(document, entry, existing, BeginStartLocked);
            await LaunchAsync(entry, document, id, paused, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Job.Release();
        }

        return _table.Snapshot(entry) ?? throw DomainErrors.OperationFailed("domain is no longer running");
    }

    public async ValueTask StartAsync(Guid uuid, bool paused, CancellationToken cancellationToken)
    {
        var entry = _table.Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int id;
            DomainDocument source;
            lock (_table.Gate)
            {
                if (entry.Removed)
                {
                    throw DomainErrors.NoDomainByUuid(uuid);
                }

                DomainStateMachine.Decide(DomainOperation.Start, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                source = entry.Persistent!;
                id = BeginStartLocked(entry);
            }

            await LaunchAsync(entry, source, id, paused, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Job.Release();
        }
    }

    public ValueTask SuspendAsync(Guid uuid, CancellationToken cancellationToken) =>
        CommandAsync(uuid, DomainOperation.Suspend, "stop", new VmmEvent(VmmEventKind.Stop), cancellationToken);

    public ValueTask ResumeAsync(Guid uuid, CancellationToken cancellationToken) =>
        CommandAsync(uuid, DomainOperation.Resume, "cont", new VmmEvent(VmmEventKind.Resume), cancellationToken);

    public async ValueTask DestroyAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var entry = _table.Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VmmInstance? vmm;
            TaskCompletionSource? stopped;
            lock (_table.Gate)
            {
                DomainStateMachine.Decide(DomainOperation.Destroy, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                entry.Destroying = true;
                vmm = entry.Vmm;
                stopped = entry.Stopped;
            }

            if (vmm is null || stopped is null)
            {
                throw DomainErrors.Internal("domain has no VMM process");
            }

            try
            {
                await _supervisor.TerminateAsync(vmm).ConfigureAwait(false);
                await stopped.Task.WaitAsync(_killTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw DomainErrors.OperationFailed($"failed to terminate process {vmm.Process.Pid} with SIGKILL", e);
            }
        }
        finally
        {
            entry.Job.Release();
        }
    }

    /// <summary>
    /// virDomainGetControlInfo: always OK (VIR_DOMAIN_CONTROL_OK), as kvmd sends a VMM's commands as they come and has
    /// no monitor job or monitor error state to report.
    /// </summary>
    public DomainControlInfo GetControlInfo(Guid uuid)
    {
        var entry = _table.Find(uuid);
        lock (_table.Gate)
        {
            DomainStateMachine.Decide(DomainOperation.GetControlInfo, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
        }

        return DomainControlInfo.Ok;
    }

    /// <summary>Marks a domain as starting (paused, starting up) with the next id; called under the gate.</summary>
    private int BeginStartLocked(DomainEntry entry)
    {
        int id = _table.NextIdLocked();
        entry.Id = id;
        entry.State = DomainState.Paused;
        entry.Reason = DomainStateReason.PausedStartingUp;
        entry.Destroying = false;
        entry.Stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return id;
    }

    /// <summary>One QMP command for a state-gated operation; <paramref name="expected"/> is applied at once on success.</summary>
    private async ValueTask CommandAsync(Guid uuid, DomainOperation operation, string command, VmmEvent? expected, CancellationToken cancellationToken)
    {
        var entry = _table.Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VmmInstance? vmm;
            lock (_table.Gate)
            {
                if (!DomainStateMachine.Decide(operation, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused())
                {
                    return;
                }

                vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");
                if (expected is { } awaited)
                {
                    entry.Echoes.Expect(awaited.Kind);
                }
            }

            try
            {
                await ExecuteAsync(vmm, command, null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (expected is { } failed)
                {
                    lock (_table.Gate)
                    {
                        entry.Echoes.Cancel(failed.Kind);
                    }
                }

                throw;
            }

            if (expected is { } vmmEvent)
            {
                // The command's effect is the domain's state when the call returns, as libvirt's: applied here unless
                // the VMM's event for it was applied first (see CommandEchoes).
                lock (_table.Gate)
                {
                    if (entry.Echoes.Returned(vmmEvent.Kind))
                    {
                        ApplyVmmEventLocked(entry, vmm, vmmEvent);
                    }
                }
            }
        }
        finally
        {
            entry.Job.Release();
        }
    }

    /// <summary>A QMP command with libvirt's errors for what can go wrong.</summary>
    private static async Task<JsonNode?> ExecuteAsync(VmmInstance vmm, string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await vmm.ExecuteAsync(command, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e)
        {
            throw DomainErrors.Internal($"unable to execute QEMU command '{command}': {e.Message}", e);
        }
        catch (QmpConnectionException e)
        {
            throw DomainErrors.OperationFailed("domain is no longer running", e);
        }
        catch (TimeoutException e)
        {
            throw DomainErrors.Timeout($"the monitor did not answer '{command}'", e);
        }
    }
}
