namespace Kvm.DomainXml.Model;

public enum ClockOffset
{
    Utc,
    Localtime,
    Variable,
    Timezone,
    Absolute,
}

/// <summary>What a variable clock's adjustment is relative to.</summary>
public enum ClockBasis
{
    Utc,
    Localtime,
}

/// <summary>
/// <c>&lt;clock&gt;</c>: how the guest's clock relates to the host's, and its timers. As in libvirt, a utc or localtime
/// clock with a numeric <c>adjustment</c> is a variable clock with that basis.
/// </summary>
public sealed record ClockDef
{
    /// <summary>A utc clock without timers: what a definition without <c>&lt;clock&gt;</c> gets.</summary>
    public static ClockDef Default { get; } = new();

    public ClockOffset Offset { get; init; } = ClockOffset.Utc;

    /// <summary>The time zone of a timezone clock.</summary>
    public string? Timezone { get; init; }

    /// <summary>Seconds added to the basis (variable clocks).</summary>
    public long? Adjustment { get; init; }

    /// <summary><c>adjustment='reset'</c> on a utc or localtime clock.</summary>
    public bool AdjustmentReset { get; init; }

    /// <summary>The basis of a variable clock (utc when not given).</summary>
    public ClockBasis? Basis { get; init; }

    /// <summary>The start time (seconds since the epoch) of an absolute clock.</summary>
    public ulong? Start { get; init; }

    public IReadOnlyList<TimerDef> Timers { get; init; } = [];
}
