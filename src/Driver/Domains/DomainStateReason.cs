namespace Kvm.Driver.Domains;

/// <summary>libvirt's state reasons (virDomainRunningReason, virDomainPausedReason, virDomainShutoffReason, ...).</summary>
public static class DomainStateReason
{
    public const int Unknown = 0;
    public const int RunningBooted = 1, RunningUnpaused = 5;
    public const int PausedUser = 1, PausedShuttingDown = 8, PausedCrashed = 10, PausedStartingUp = 11;
    public const int ShutdownUser = 1;
    public const int ShutoffShutdown = 1, ShutoffDestroyed = 2, ShutoffCrashed = 3, ShutoffFailed = 6;
    public const int CrashedPanicked = 1;
}
