namespace Kvm.DomainXml.Model;

public enum WatchdogModel
{
    I6300esb,
    Ib700,
    Diag288,
    Itco,
}

/// <summary>What happens when the watchdog fires.</summary>
public enum WatchdogAction
{
    Reset,
    Shutdown,
    Poweroff,
    Pause,
    Dump,
    None,
    InjectNmi,
}

/// <summary><c>&lt;watchdog model action&gt;</c>; the action is reset when not given.</summary>
public sealed record WatchdogDef(WatchdogModel Model, WatchdogAction Action);
