namespace Kvm.Driver.Domains;

/// <summary>The libvirt detail numbers of the lifecycle events kvmd emits (virDomainEvent*DetailType).</summary>
public static class DomainEventDetail
{
    public const int DefinedAdded = 0, DefinedUpdated = 1, DefinedRenamed = 2, DefinedFromSnapshot = 3;
    public const int UndefinedRemoved = 0, UndefinedRenamed = 1;
    public const int StartedBooted = 0;
    public const int SuspendedPaused = 0;
    public const int ResumedUnpaused = 0;
    public const int StoppedShutdown = 0, StoppedDestroyed = 1, StoppedCrashed = 2, StoppedFailed = 5;
    public const int ShutdownFinished = 0, ShutdownGuest = 1, ShutdownHost = 2;
    public const int CrashedPanicked = 0;
}
