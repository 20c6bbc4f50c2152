using Kvm.DomainXml;
using Kvm.DomainXml.Model;
using Kvm.Driver.Runtime;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;
using Kvm.Vmm.Support;

namespace Kvm.Driver.Domains;

/// <summary>Starting a domain's VMM, and the VMM's events and exit applied to the domain through the state machine.</summary>
internal sealed partial class DomainLifecycle
{
    /// <summary>
    /// Starts kvm-vmm for a domain marked as starting, continues it (unless <paramref name="paused"/>), and reports
    /// STARTED/BOOTED. Whatever goes wrong on the way leaves no VMM behind and the domain shut off (failed).
    /// </summary>
    private async Task LaunchAsync(DomainEntry entry, DomainDocument source, int id, bool paused, CancellationToken cancellationToken)
    {
        string name = entry.Name;
        DomainDocument live = DomainEdits.ToLive(source, id);
        try
        {
            // UEFI: the firmware from the descriptors and the domain's variable store, made at its first start.
            live = _firmware?.Prepare(live) ?? live;
            // <interface type='network'>: a tap on the running network's bridge, recorded on the live <source>.
            if (_networkBridges is not null)
            {
                live = DomainEdits.WithNetworkBridges(live, _networkBridges) ?? live;
            }
        }
        catch (DomainOperationException)
        {
            FailStart(entry);
            throw;
        }

        // What kvm-vmm would refuse is refused here, by the same description, without starting a process.
        if (VmmSupport.Boot(live.Definition.Os) is { } boot)
        {
            FailStart(entry);
            throw DomainErrors.ConfigUnsupported($"kvm-vmm cannot boot this domain yet: {boot}");
        }

        var unsupported = VmmSupport.Unsupported(live.Definition.Devices).ToList();
        if (unsupported.Count > 0)
        {
            FailStart(entry);
            throw DomainErrors.ConfigUnsupported($"kvm-vmm cannot run these devices yet: {string.Join(", ", unsupported)}");
        }

        lock (_table.Gate)
        {
            // <vsock><cid auto='yes'/>: a CID none of the other running domains holds, on the live definition.
            live = VsockCids.Assign(live, _table.EntriesLocked.Where(e => !ReferenceEquals(e, entry)).Select(e => e.Live));
            entry.Live = live;
        }

        string liveXml = Format(live);
        VmmInstance vmm;
        try
        {
            vmm = await _supervisor.LaunchAsync(name, Format(VsockCids.ForVmm(live)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VmmLaunchException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            FailStart(entry);
            s_log.Error("Domain {Domain} failed to start: {Error}", name, e.Message);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw DomainErrors.Internal($"process exited while connecting to monitor: {e.Message}", e);
        }

        try
        {
            if (vmm.ConsolePath is { } pty && DomainEdits.WithSerialPty(live, pty) is { } withPty)
            {
                live = withPty;
                liveXml = Format(live);
                lock (_table.Gate)
                {
                    entry.Live = live;
                }
            }

            var status = new RuntimeStatus(name, entry.Uuid, id, vmm.Process.Pid, vmm.Process.StartTime, vmm.QmpSocket, vmm.ConsolePath ?? ConsoleFileOf(live), liveXml);
            _supervisor.RecordStatus(status);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without its status file a restarted kvmd could not find this VM again: do not leave it running.
            s_log.Error("Domain {Domain} failed to start: cannot record its runtime status: {Error}", name, e.Message);
            await VmmSupervisor.AbandonAsync(vmm).ConfigureAwait(false);
            FailStart(entry);
            throw DomainErrors.Internal($"cannot record the runtime status of domain '{name}': {e.Message}", e);
        }

        lock (_table.Gate)
        {
            entry.Vmm = vmm;
            entry.Echoes.Clear();
        }

        Watch(entry, vmm);
        if (paused)
        {
            lock (_table.Gate)
            {
                if (ReferenceEquals(entry.Vmm, vmm))
                {
                    ApplyLocked(entry, DomainStateMachine.OnStartedPaused(entry.State, entry.Reason));
                }
            }

            s_log.Info("Domain {Domain} started paused as id {Id} (kvm-vmm {Pid})", name, id, vmm.Process.Pid);
            return;
        }

        try
        {
            await vmm.ExecuteAsync("cont", null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException or TimeoutException or IOException or OperationCanceledException)
        {
            s_log.Error("Domain {Domain} failed to start its vCPUs: {Error}", name, e.Message);
            VmmSupervisor.Kill(vmm);
            try
            {
                await WaitStoppedAsync(entry).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                s_log.Error("kvm-vmm {Pid} of domain {Domain} did not exit after SIGKILL", vmm.Process.Pid, name);
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            string log = _supervisor.StartErrorOf(name);
            throw DomainErrors.Internal($"process exited while connecting to monitor: {(log.Length > 0 ? log : e.Message)}", e);
        }

        // The RESUME event may have done this already.
        Apply(entry, vmm, new VmmEvent(VmmEventKind.Resume));
        s_log.Info("Domain {Domain} started as id {Id} (kvm-vmm {Pid})", name, id, vmm.Process.Pid);
    }

    /// <summary>A start that never got a VMM running: shut off (failed), its files removed, a transient domain gone.</summary>
    private void FailStart(DomainEntry entry)
    {
        _supervisor.Clean(entry.Name);
        TaskCompletionSource? stopped;
        lock (_table.Gate)
        {
            entry.State = DomainState.Shutoff;
            entry.Reason = DomainStateReason.ShutoffFailed;
            entry.Id = -1;
            entry.Live = null;
            entry.Destroying = false;
            stopped = entry.Stopped;
            entry.Stopped = null;
            if (entry.Persistent is null)
            {
                _table.RemoveLocked(entry);
            }
        }

        stopped?.TrySetResult();
    }

    private async Task WaitStoppedAsync(DomainEntry entry)
    {
        Task? stopped;
        lock (_table.Gate)
        {
            stopped = entry.Stopped?.Task;
        }

        if (stopped is not null)
        {
            await stopped.WaitAsync(_killTimeout).ConfigureAwait(false);
        }
    }

    /// <summary>Has the supervisor feed a VMM's events and its exit into this domain's state.</summary>
    private void Watch(DomainEntry entry, VmmInstance vmm) =>
        _supervisor.Watch(entry.Name, vmm, vmmEvent => OnVmmEvent(entry, vmm, vmmEvent), () => OnExited(entry, vmm));

    /// <summary>The VMM is gone (its files already removed): the domain shuts off as the state machine says; a transient one is removed.</summary>
    private void OnExited(DomainEntry entry, VmmInstance vmm)
    {
        TaskCompletionSource? stopped;
        lock (_table.Gate)
        {
            if (!ReferenceEquals(entry.Vmm, vmm))
            {
                return;
            }

            ApplyLocked(entry, DomainStateMachine.OnVmmEvent(entry.State, entry.Reason, entry.Destroying, entry.Current.Definition.Lifecycle, VmmEvent.Exited));
            entry.Vmm = null;
            entry.Reboot = RebootPhase.None;
            entry.Id = -1;
            entry.Live = null;
            entry.Updated = false;
            entry.Destroying = false;
            stopped = entry.Stopped;
            entry.Stopped = null;
            if (entry.Persistent is null)
            {
                _table.RemoveLocked(entry);
            }
        }

        s_log.Info("Domain {Domain} stopped", entry.Name);
        stopped?.TrySetResult();
    }

    private void Apply(DomainEntry entry, VmmInstance vmm, VmmEvent vmmEvent)
    {
        lock (_table.Gate)
        {
            ApplyVmmEventLocked(entry, vmm, vmmEvent);
        }
    }

    /// <summary>An event from the VMM's monitor: applied, unless it is the echo of a command already applied.</summary>
    private void OnVmmEvent(DomainEntry entry, VmmInstance vmm, VmmEvent vmmEvent)
    {
        lock (_table.Gate)
        {
            if (ReferenceEquals(entry.Vmm, vmm) && entry.Echoes.Arrived(vmmEvent.Kind))
            {
                return;
            }

            ApplyVmmEventLocked(entry, vmm, vmmEvent);
        }
    }

    private void ApplyVmmEventLocked(DomainEntry entry, VmmInstance vmm, VmmEvent vmmEvent)
    {
        if (ReferenceEquals(entry.Vmm, vmm))
        {
            var transition = DomainStateMachine.OnVmmEvent(entry.State, entry.Reason, entry.Destroying, entry.Current.Definition.Lifecycle, vmmEvent, entry.Reboot);
            ApplyLocked(entry, transition);
            if (transition.ResetGuest)
            {
                BeginResetLocked(entry, vmm);
            }
        }
    }

    private void ApplyLocked(DomainEntry entry, DomainTransition transition)
    {
        entry.State = transition.State;
        entry.Reason = transition.Reason;
        _events.Raise(entry.Uuid, transition);
    }

    /// <summary>The path a serial console written to a file or a socket has in the definition.</summary>
    private static string? ConsoleFileOf(DomainDocument live) =>
        live.Definition.Devices.Chardevs.FirstOrDefault(c => c.Kind == ChardevKind.Serial)?.Source.Path;

    private static string Format(DomainDocument document, DomainFormatFlags flags = DomainFormatFlags.Secure) =>
        DomainXmlFormatter.Format(document, flags);
}
