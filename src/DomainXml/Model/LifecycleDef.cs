namespace Kvm.DomainXml.Model;

public enum LifecycleAction
{
    Destroy,
    Restart,
    RenameRestart,
    Preserve,
    CoredumpDestroy,
    CoredumpRestart,
}

/// <summary><c>&lt;on_poweroff&gt;</c>, <c>&lt;on_reboot&gt;</c>, <c>&lt;on_crash&gt;</c>.</summary>
public sealed record LifecycleDef(LifecycleAction OnPoweroff, LifecycleAction OnReboot, LifecycleAction OnCrash);
