using Kvm.Driver.Vmm;
using Kvm.Qmp.Commands;

namespace Kvm.Driver.Domains;

/// <summary>Taking the running domains back after a kvmd restart, from what the supervisor re-attached to.</summary>
internal sealed partial class DomainLifecycle
{
    /// <summary>
    /// Rebuilds the running domains from the runtime directory: a VMM that is still the same live process is
    /// reconnected; a dead one is reported shut off (crashed), as libvirt's reconnect does, and its files removed.
    /// Runs after the definitions are loaded and before anything else touches the domains.
    /// </summary>
    public async Task ReattachAsync(CancellationToken cancellationToken)
    {
        VmmReattachment found = await _supervisor.ReattachAsync(cancellationToken).ConfigureAwait(false);
        foreach (var gone in found.Gone)
        {
            lock (_table.Gate)
            {
                if (_table.TryFindLocked(gone.Uuid, out DomainEntry entry))
                {
                    entry.State = DomainState.Shutoff;
                    entry.Reason = DomainStateReason.ShutoffCrashed;
                    _events.Raise(entry.Uuid, DomainEventType.Stopped, DomainEventDetail.StoppedFailed);
                }
            }
        }

        foreach (var adoption in found.Adopted)
        {
            Adopt(adoption);
        }
    }

    /// <summary>libvirt's reading of QEMU's run state on reconnect (qemuProcessUpdateState).</summary>
    internal static (DomainState State, int Reason) StateOf(QmpRunState runState) => runState switch
    {
        QmpRunState.Running => (DomainState.Running, DomainStateReason.RunningBooted),
        QmpRunState.Shutdown => (DomainState.Shutdown, DomainStateReason.Unknown),
        QmpRunState.GuestPanicked => (DomainState.Crashed, DomainStateReason.CrashedPanicked),
        QmpRunState.Prelaunch => (DomainState.Paused, DomainStateReason.PausedStartingUp),
        _ => (DomainState.Paused, DomainStateReason.PausedUser),
    };

    private void Adopt(VmmAdoption adoption)
    {
        var (status, vmm, live, runState) = adoption;
        var (state, reason) = StateOf(runState);
        DomainEntry? entry;
        lock (_table.Gate)
        {
            if (!_table.TryFindLocked(status.Uuid, out entry))
            {
                if (_table.ContainsNameLocked(status.Name))
                {
                    s_log.Error("Running domain {Domain} ({Uuid}) clashes with a defined domain of that name; leaving it unmanaged", status.Name, status.Uuid);
                    VmmSupervisor.Release(vmm);
                    return;
                }

                entry = new DomainEntry(status.Uuid, status.Name);
                _table.AddLocked(entry);
            }

            entry.Live = live;
            entry.Id = status.Id;
            entry.State = state;
            entry.Reason = reason;
            entry.Vmm = vmm;
            entry.Echoes.Clear();
            entry.Reboot = status.FakeReboot ? RebootPhase.Requested : RebootPhase.None;
            entry.Stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _table.ObserveIdLocked(status.Id);
            Watch(entry, vmm);
            if (status.FakeReboot && state == DomainState.Shutdown)
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
