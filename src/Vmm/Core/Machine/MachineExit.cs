namespace Kvm.Vmm.Machine;

/// <summary>A machine's end: the reason, and details for the log.</summary>
/// <param name="ExitStatus">The process exit status the guest asked for (<see cref="MachineExitReason.GuestDebugExit"/>); 0 otherwise.</param>
public sealed record MachineExit(MachineExitReason Reason, string Detail, int ExitStatus = 0);
