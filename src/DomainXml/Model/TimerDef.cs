namespace Kvm.DomainXml.Model;

public enum TimerName
{
    Platform,
    Pit,
    Rtc,
    Hpet,
    Tsc,
    Kvmclock,
    Hypervclock,
    Armvtimer,
}

/// <summary>What happens to ticks the guest missed (<c>tickpolicy</c>).</summary>
public enum TimerTickPolicy
{
    Delay,
    Catchup,
    Merge,
    Discard,
}

/// <summary>What an RTC follows (<c>track</c>).</summary>
public enum TimerTrack
{
    Boot,
    Guest,
    Wall,
    Realtime,
}

/// <summary>How a TSC is provided (<c>mode</c>).</summary>
public enum TimerMode
{
    Auto,
    Native,
    Emulate,
    Paravirt,
    Smpsafe,
}

/// <summary><c>&lt;clock&gt;&lt;timer name present tickpolicy track frequency mode&gt;</c>.</summary>
public sealed record TimerDef
{
    public required TimerName Name { get; init; }

    /// <summary>Whether the guest sees the timer; null when not given.</summary>
    public bool? Present { get; init; }

    public TimerTickPolicy? TickPolicy { get; init; }

    public TimerTrack? Track { get; init; }

    /// <summary>The TSC frequency in Hz.</summary>
    public ulong? Frequency { get; init; }

    public TimerMode? Mode { get; init; }
}
