using Kvm.DomainXml;
using Kvm.Driver.Runtime;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;

namespace Kvm.Driver.Domains;

public sealed partial class DomainManager
{
    /// <summary>
    /// Rebuilds the running domains from the runtime directory: a VMM that is still the same live process is
    /// reconnected; a dead one is reported shut off (crashed), as libvirt's reconnect does, and its files removed.
    /// </summary>
    private async Task ReattachAsync(CancellationToken cancellationToken)
    {
        foreach (RuntimeStatus status in Runtime.ReadAll())
        {
            DomainDocument? live = TryParseLive(status.LiveXml, status.Name);
            VmmProcess? process = VmmProcess.Adopt(status.Pid, status.ProcessStartTime);
            VmmInstance? vmm = process is null ? null
                : await VmmInstance.AttachAsync(process, status.QmpSocket, status.ConsolePath, _qmpOptions, cancellationToken).ConfigureAwait(false);
            (DomainState State, int Reason)? running = vmm is null ? null : await QueryStateAsync(vmm, cancellationToken).ConfigureAwait(false);
            if (vmm is not null && (running is null || live is null))
            {
                s_log.Error("Cannot take over kvm-vmm {Pid} of {Domain}; stopping it", status.Pid, status.Name);
                await vmm.Process.TerminateAsync(Options.DestroyGracePeriod, Options.KillTimeout).ConfigureAwait(false);
                await vmm.DisposeAsync().ConfigureAwait(false);
                vmm = null;
            }

            if (vmm is null || live is null || running is null)
            {
                ReportDead(status);
                continue;
            }

            lock (_gate)
            {
                if (!_byUuid.TryGetValue(status.Uuid, out DomainEntry? entry))
                {
                    if (_byName.ContainsKey(status.Name))
                    {
                        s_log.Error("Running domain {Domain} ({Uuid}) clashes with a defined domain of that name; leaving it unmanaged", status.Name, status.Uuid);
                        _ = vmm.DisposeAsync().AsTask();
                        continue;
                    }

                    entry = new DomainEntry(status.Uuid, status.Name);
                    _byUuid.Add(entry.Uuid, entry);
                    _byName.Add(entry.Name, entry);
                }

                entry.Live = live;
                entry.Id = status.Id;
                entry.State = running.Value.State;
                entry.Reason = running.Value.Reason;
                entry.Vmm = vmm;
                entry.Reboot = status.FakeReboot ? RebootPhase.Requested : RebootPhase.None;
                entry.Stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _lastId = Math.Max(_lastId, status.Id);
                _pumps.Add(PumpAsync(entry, vmm));
                if (status.FakeReboot && running.Value.State == DomainState.Shutdown)
                {
                    // The guest powered off for a reboot while kvmd was away, and its VMM holds it: finish the reboot.
                    entry.State = DomainState.Running;
                    entry.Reason = DomainStateReason.RunningBooted;
                    BeginResetLocked(entry, vmm);
                }
            }

            s_log.Info("Re-attached to domain {Domain} (id {Id}, kvm-vmm {Pid})", status.Name, status.Id, status.Pid);
        }
    }

    private static async Task<(DomainState, int)?> QueryStateAsync(VmmInstance vmm, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await vmm.ExecuteAsync("query-status", null, cancellationToken).ConfigureAwait(false);
            return reply?["status"]?.GetValue<string>() switch
            {
                "running" => (DomainState.Running, DomainStateReason.RunningBooted),
                "shutdown" => (DomainState.Shutdown, DomainStateReason.Unknown),
                "guest-panicked" => (DomainState.Crashed, DomainStateReason.CrashedPanicked),
                "prelaunch" => (DomainState.Paused, DomainStateReason.PausedStartingUp),
                _ => (DomainState.Paused, DomainStateReason.PausedUser),
            };
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException or TimeoutException or InvalidOperationException)
        {
            s_log.Error("query-status failed on re-attach: {Error}", e.Message);
            return null;
        }
    }

    /// <summary>A VMM that died while kvmd was away: shut off (crashed) with STOPPED/FAILED; a transient domain is gone.</summary>
    private void ReportDead(RuntimeStatus status)
    {
        Runtime.Clean(status.Name);
        lock (_gate)
        {
            if (_byUuid.TryGetValue(status.Uuid, out DomainEntry? entry))
            {
                entry.State = DomainState.Shutoff;
                entry.Reason = DomainStateReason.ShutoffCrashed;
                Raise(entry, DomainEventType.Stopped, DomainEventDetail.StoppedFailed);
            }
        }

        s_log.Warn("Domain {Domain} stopped while kvmd was not running (kvm-vmm {Pid})", status.Name, status.Pid);
    }
}
