namespace Kvm.Vmm.Machine;

/// <summary>Why a machine stopped running.</summary>
public enum MachineExitReason
{
    /// <summary>The host asked it to stop (quit, or the process is ending).</summary>
    Stopped,

    /// <summary>The guest powered off.</summary>
    GuestShutdown,

    /// <summary>The guest asked for a reset (reboot).</summary>
    GuestReset,

    /// <summary>The guest crashed the CPU (triple fault) or reported a crash.</summary>
    GuestCrash,

    /// <summary>KVM could not run the vCPU any further.</summary>
    InternalError,

    /// <summary>
    /// The guest wrote to the isa-debug-exit device (<see cref="MachineConfig.DebugExit"/>): the VMM should end with
    /// <see cref="MachineExit.ExitStatus"/>, whatever it does on a power-off.
    /// </summary>
    GuestDebugExit,
}
