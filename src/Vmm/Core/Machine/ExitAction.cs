namespace Kvm.Vmm.Machine;

/// <summary>What a vCPU thread does once <see cref="ExitDispatcher"/> has handled an exit.</summary>
internal enum ExitAction
{
    /// <summary>Enter the guest again.</summary>
    Continue,

    /// <summary>The run was interrupted (a kick): park while the machine is paused, then enter the guest again.</summary>
    Interrupted,

    /// <summary>End the machine with the exit the dispatcher gave.</summary>
    Stop,
}
