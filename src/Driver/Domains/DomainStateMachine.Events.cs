using Kvm.DomainXml.Model;
using Kvm.Driver.Vmm;

namespace Kvm.Driver.Domains;

public static partial class DomainStateMachine
{
    /// <summary>
    /// How a VMM event moves a domain, as libvirt's QEMU driver handles QEMU's (qemuProcessHandleStop/Resume/Shutdown/
    /// Reset, monitor EOF). The VMM applies on_poweroff/on_reboot/on_crash itself; <paramref name="lifecycle"/> tells
    /// which of them keep the VM running. <paramref name="destroying"/>: kvmd is killing the process (destroy).
    /// <paramref name="reboot"/>: a reboot kvmd asked for, during which the guest's power-off and the VMM's stop that
    /// follows it are transient (no state change, no event), as in libvirt's qemuProcessHandleShutdown/Stop.
    /// </summary>
    public static DomainTransition OnVmmEvent(DomainState state, int reason, bool destroying, LifecycleDef lifecycle, VmmEvent vmmEvent, RebootPhase reboot = RebootPhase.None)
    {
        var unchanged = DomainTransition.Unchanged(state, reason);
        if (!IsActive(state))
        {
            return unchanged;
        }

        bool startingUp = state == DomainState.Paused && reason == DomainStateReason.PausedStartingUp;
        switch (vmmEvent.Kind)
        {
            case VmmEventKind.Stop when reboot == RebootPhase.GuestOff:
                return unchanged;

            case VmmEventKind.Stop:
                return state == DomainState.Running && !destroying
                    ? new(DomainState.Paused, DomainStateReason.PausedUser, [(DomainEventType.Suspended, DomainEventDetail.SuspendedPaused)], false)
                    : unchanged;

            case VmmEventKind.Resume:
                if (startingUp)
                {
                    return new(DomainState.Running, DomainStateReason.RunningBooted, [(DomainEventType.Started, DomainEventDetail.StartedBooted)], false);
                }

                return state is DomainState.Paused or DomainState.Crashed && !destroying
                    ? new(DomainState.Running, DomainStateReason.RunningUnpaused, [(DomainEventType.Resumed, DomainEventDetail.ResumedUnpaused)], false)
                    : unchanged;

            case VmmEventKind.Shutdown when reboot == RebootPhase.Requested && !destroying && vmmEvent.Guest == true && vmmEvent.Reason != "guest-panic":
                return unchanged with { ResetGuest = true };

            case VmmEventKind.Shutdown:
                return destroying || state == DomainState.Shutdown ? unchanged : OnShutdown(state, reason, lifecycle, vmmEvent);

            case VmmEventKind.Reset:
                // A guest reboot the VMM turns into a power-off (on_reboot destroy) is reported by its SHUTDOWN.
                bool restarts = vmmEvent.Guest != true || KeepsRunning(lifecycle.OnReboot);
                return restarts && !destroying ? unchanged with { Rebooted = true } : unchanged;

            case VmmEventKind.Powerdown:
                return unchanged;

            case VmmEventKind.Exited:
                return OnExited(state, destroying, startingUp);
        }

        return unchanged;
    }

    /// <summary>
    /// A start with VIR_DOMAIN_START_PAUSED: the VMM is up and its vCPUs were never continued. As libvirt's
    /// qemuDomainObjStart: STARTED/BOOTED, then SUSPENDED/PAUSED, and the domain is paused by the user.
    /// </summary>
    public static DomainTransition OnStartedPaused(DomainState state, int reason) =>
        state == DomainState.Paused && reason == DomainStateReason.PausedStartingUp
            ? new(DomainState.Paused, DomainStateReason.PausedUser,
                [(DomainEventType.Started, DomainEventDetail.StartedBooted), (DomainEventType.Suspended, DomainEventDetail.SuspendedPaused)], false)
            : DomainTransition.Unchanged(state, reason);

    /// <summary>The VMM's own reading of an on_* action: it restarts for these, and exits for the others.</summary>
    public static bool KeepsRunning(LifecycleAction action) =>
        action is LifecycleAction.Restart or LifecycleAction.RenameRestart or LifecycleAction.CoredumpRestart;

    private static DomainTransition OnShutdown(DomainState state, int reason, LifecycleDef lifecycle, VmmEvent vmmEvent)
    {
        if (vmmEvent.Reason == "guest-panic")
        {
            (DomainEventType, int) crashed = (DomainEventType.Crashed, DomainEventDetail.CrashedPanicked);
            return KeepsRunning(lifecycle.OnCrash)
                ? new(state, reason, [crashed], true)
                : new(DomainState.Crashed, DomainStateReason.CrashedPanicked, [crashed], false);
        }

        int detail = vmmEvent.Guest switch
        {
            true => DomainEventDetail.ShutdownGuest,
            false => DomainEventDetail.ShutdownHost,
            null => DomainEventDetail.ShutdownFinished,
        };
        (DomainEventType, int) shutdown = (DomainEventType.Shutdown, detail);
        bool guestPoweroff = vmmEvent.Guest == true && vmmEvent.Reason != "guest-reset";
        if (guestPoweroff && KeepsRunning(lifecycle.OnPoweroff))
        {
            // The VMM boots the guest again (libvirt's fake reboot for on_poweroff=restart). libvirt reports the
            // power-off as SHUTDOWN only for the other restarting actions (rename-restart): for restart it is transient.
            return new(DomainState.Running, DomainStateReason.RunningBooted, lifecycle.OnPoweroff == LifecycleAction.Restart ? [] : [shutdown], true);
        }

        return new(DomainState.Shutdown, DomainStateReason.Unknown, [shutdown], false);
    }

    private static DomainTransition OnExited(DomainState state, bool destroying, bool startingUp)
    {
        if (destroying)
        {
            return new(DomainState.Shutoff, DomainStateReason.ShutoffDestroyed, [(DomainEventType.Stopped, DomainEventDetail.StoppedDestroyed)], false);
        }

        if (startingUp)
        {
            // A start that failed: libvirt emits no event for a domain that never started.
            return new(DomainState.Shutoff, DomainStateReason.ShutoffFailed, [], false);
        }

        return state switch
        {
            DomainState.Shutdown => new(DomainState.Shutoff, DomainStateReason.ShutoffShutdown, [(DomainEventType.Stopped, DomainEventDetail.StoppedShutdown)], false),
            DomainState.Crashed => new(DomainState.Shutoff, DomainStateReason.ShutoffCrashed, [(DomainEventType.Stopped, DomainEventDetail.StoppedCrashed)], false),
            // The monitor went away without a SHUTDOWN: libvirt assumes the process crashed.
            _ => new(DomainState.Shutoff, DomainStateReason.ShutoffCrashed, [(DomainEventType.Stopped, DomainEventDetail.StoppedFailed)], false),
        };
    }
}
