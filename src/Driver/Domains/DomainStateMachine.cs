namespace Kvm.Driver.Domains;

/// <summary>
/// The one place that decides which operation is allowed in which state (libvirt's QEMU driver checks, with its
/// messages) and how the VMM's events move a domain between states (<see cref="OnVmmEvent"/>). Pure.
/// </summary>
public static partial class DomainStateMachine
{
    /// <summary>A domain is active while it has a VMM process: every state but shut off (and the no-state of nothing).</summary>
    public static bool IsActive(DomainState state) => state is not (DomainState.Shutoff or DomainState.NoState);

    public static DomainVerdict Decide(DomainOperation operation, DomainState state, int reason, bool persistent, string name)
    {
        bool active = IsActive(state);
        return operation switch
        {
            DomainOperation.Start => active ? DomainVerdict.Invalid("domain is already running") : DomainVerdict.Proceed,
            // qemuDomainShutdownFlags says "not running" itself (VIR_FROM_QEMU); the others through virDomainObjCheckActive.
            DomainOperation.Shutdown => active ? DomainVerdict.Proceed : DomainVerdict.Invalid("domain is not running"),
            DomainOperation.Destroy or DomainOperation.Reboot or DomainOperation.Reset or DomainOperation.GetVcpus
                or DomainOperation.Block or DomainOperation.GetControlInfo or DomainOperation.Interfaces or DomainOperation.Memory or DomainOperation.OpenConsole =>
                active ? DomainVerdict.Proceed : DomainVerdict.NotRunning,
            DomainOperation.Suspend => !active ? DomainVerdict.NotRunning
                : state == DomainState.PmSuspended ? DomainVerdict.Invalid("domain is pmsuspended")
                : state == DomainState.Paused && reason != DomainStateReason.PausedStartingUp ? DomainVerdict.NoOp
                : DomainVerdict.Proceed,
            DomainOperation.Resume => !active ? DomainVerdict.NotRunning
                : state == DomainState.PmSuspended ? DomainVerdict.Invalid("domain is pmsuspended")
                : state is DomainState.Paused or DomainState.Crashed ? DomainVerdict.Proceed
                : DomainVerdict.NoOp,
            DomainOperation.Undefine => persistent ? DomainVerdict.Proceed : DomainVerdict.Invalid("cannot undefine transient domain"),
            DomainOperation.Rename => !persistent ? DomainVerdict.Invalid("cannot rename a transient domain")
                : active ? DomainVerdict.Invalid("cannot rename active domain")
                : DomainVerdict.Proceed,
            DomainOperation.SetAutostart => persistent ? DomainVerdict.Proceed : DomainVerdict.Invalid("cannot set autostart for transient domain"),
            DomainOperation.CreateOver => active ? DomainVerdict.Invalid($"domain '{name}' is already active")
                : !persistent ? DomainVerdict.Invalid($"domain '{name}' is already being started")
                : DomainVerdict.Proceed,
        };
    }
}
