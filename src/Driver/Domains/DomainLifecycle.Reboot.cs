using System.Text.Json.Nodes;
using Kvm.DomainXml.Model;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;

namespace Kvm.Driver.Domains;

/// <summary>
/// Reboot as libvirt's QEMU driver does it by default ("fake reboot"): the guest is asked to power off through the
/// ACPI power button, its VMM holds the powered-off machine (set-action shutdown=pause, QEMU's -no-shutdown), and kvmd
/// resets it and runs it again. The guest shuts down cleanly; clients see the Reboot signal and the domain stays
/// running, without SHUTDOWN or STOPPED events.
/// </summary>
internal sealed partial class DomainLifecycle
{
    public async ValueTask RebootAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var entry = _table.Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VmmInstance vmm;
            bool restart;
            lock (_table.Gate)
            {
                if (!DomainStateMachine.Decide(DomainOperation.Reboot, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused())
                {
                    return;
                }

                vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");

                // As qemuDomainReboot: with on_reboot destroy or preserve, a reboot is a shutdown.
                restart = entry.Current.Definition.Lifecycle.OnReboot is not (LifecycleAction.Destroy or LifecycleAction.Preserve)
                    && entry.Reboot == RebootPhase.None;
            }

            if (restart)
            {
                await ExecuteAsync(vmm, "set-action", ShutdownAction("pause"), cancellationToken).ConfigureAwait(false);
                SetReboot(entry, vmm, RebootPhase.Requested);
            }

            await ExecuteAsync(vmm, "system_powerdown", null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Job.Release();
        }
    }

    public ValueTask ShutdownAsync(Guid uuid, CancellationToken cancellationToken) =>
        PowerCommandAsync(uuid, DomainOperation.Shutdown, "system_powerdown", cancellationToken);

    public ValueTask ResetAsync(Guid uuid, CancellationToken cancellationToken) =>
        PowerCommandAsync(uuid, DomainOperation.Reset, "system_reset", cancellationToken);

    /// <summary>
    /// Shutdown and Reset call off a reboot the guest has not acted on yet (libvirt clears fakeReboot for both): its
    /// next power-off ends the domain as on_poweroff says. A guest already off for the reboot is reset all the same.
    /// </summary>
    private async ValueTask PowerCommandAsync(Guid uuid, DomainOperation operation, string command, CancellationToken cancellationToken)
    {
        var entry = _table.Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VmmInstance vmm;
            bool requested;
            lock (_table.Gate)
            {
                if (!DomainStateMachine.Decide(operation, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused())
                {
                    return;
                }

                vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");
                requested = entry.Reboot == RebootPhase.Requested;
            }

            if (requested)
            {
                await ExecuteAsync(vmm, "set-action", ShutdownAction("poweroff"), cancellationToken).ConfigureAwait(false);
                SetReboot(entry, vmm, RebootPhase.None);
            }

            await ExecuteAsync(vmm, command, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Job.Release();
        }
    }

    /// <summary>
    /// The guest powered off for a reboot and its VMM holds it: give the VMM its power-off action back, reset the
    /// machine and run it (libvirt's qemuProcessFakeReboot). If that fails the domain cannot go on: its VMM is killed.
    /// </summary>
    private async Task FinishRebootAsync(DomainEntry entry, VmmInstance vmm)
    {
        await Task.Yield();
        try
        {
            await entry.Job.WaitAsync(_supervisor.Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // kvmd is going away; the next one finds the reboot in the runtime status
        }

        try
        {
            lock (_table.Gate)
            {
                if (!ReferenceEquals(entry.Vmm, vmm) || entry.Destroying)
                {
                    return;
                }
            }

            await vmm.ExecuteAsync("set-action", ShutdownAction("poweroff"), _supervisor.Stopping).ConfigureAwait(false);
            await vmm.ExecuteAsync("system_reset", null, _supervisor.Stopping).ConfigureAwait(false);
            await vmm.ExecuteAsync("cont", null, _supervisor.Stopping).ConfigureAwait(false);
            lock (_table.Gate)
            {
                if (ReferenceEquals(entry.Vmm, vmm) && entry.State == DomainState.Running)
                {
                    entry.Reason = DomainStateReason.RunningBooted;
                }
            }

            SetReboot(entry, vmm, RebootPhase.None);
            s_log.Info("Domain {Domain} rebooted", entry.Name);
        }
        catch (Exception e) when (e is OperationCanceledException or QmpException or QmpConnectionException or TimeoutException or IOException
            && _supervisor.Stopping.IsCancellationRequested)
        {
            // kvmd is going away mid-reboot (its monitor may have closed under it); the next one finds it in the runtime status.
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException or TimeoutException or IOException)
        {
            s_log.Error("Domain {Domain} powered off for a reboot but cannot be reset ({Error}); killing kvm-vmm {Pid}", entry.Name, e.Message, vmm.Process.Pid);
            VmmSupervisor.Kill(vmm);
        }
        finally
        {
            entry.Job.Release();
        }
    }

    /// <summary>Records where a reboot is, in the domain and in its runtime status (for a restarted kvmd).</summary>
    private void SetReboot(DomainEntry entry, VmmInstance vmm, RebootPhase phase)
    {
        lock (_table.Gate)
        {
            if (!ReferenceEquals(entry.Vmm, vmm))
            {
                return;
            }

            entry.Reboot = phase;
        }

        try
        {
            _supervisor.UpdateStatus(entry.Uuid, status => status with { FakeReboot = phase != RebootPhase.None });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s_log.Warn("Cannot record the reboot of {Domain} in its runtime status: {Error}", entry.Name, e.Message);
        }
    }

    /// <summary>Called under the gate when a VMM event says the guest powered off for the reboot kvmd asked for.</summary>
    private void BeginResetLocked(DomainEntry entry, VmmInstance vmm)
    {
        entry.Reboot = RebootPhase.GuestOff;
        _supervisor.Track(FinishRebootAsync(entry, vmm));
    }

    private static JsonObject ShutdownAction(string action) => new() { ["shutdown"] = action };
}
