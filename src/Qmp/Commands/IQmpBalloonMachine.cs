namespace Kvm.Qmp.Commands;

/// <summary>A machine that may have a memory balloon; without one the balloon commands answer as QEMU's "No balloon device has been activated".</summary>
public interface IQmpBalloonMachine
{
    /// <summary>The balloon, or null when the machine has none.</summary>
    IQmpBalloon? Balloon { get; }
}
