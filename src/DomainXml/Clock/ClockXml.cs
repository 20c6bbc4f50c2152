using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Clock;

/// <summary>
/// <c>&lt;clock&gt;</c> and its timers: the typed view, with libvirt's parse-time checks (virDomainDefClockParse,
/// virDomainTimerDefParseXML). Parse only; the element stays as written.
/// </summary>
internal static class ClockXml
{
    internal static readonly XmlEnum<ClockOffset> s_offset = new(
        (ClockOffset.Utc, "utc"),
        (ClockOffset.Localtime, "localtime"),
        (ClockOffset.Variable, "variable"),
        (ClockOffset.Timezone, "timezone"),
        (ClockOffset.Absolute, "absolute"));

    internal static readonly XmlEnum<ClockBasis> s_basis = new(
        (ClockBasis.Utc, "utc"),
        (ClockBasis.Localtime, "localtime"));

    internal static readonly XmlEnum<TimerName> s_timerName = new(
        (TimerName.Platform, "platform"),
        (TimerName.Pit, "pit"),
        (TimerName.Rtc, "rtc"),
        (TimerName.Hpet, "hpet"),
        (TimerName.Tsc, "tsc"),
        (TimerName.Kvmclock, "kvmclock"),
        (TimerName.Hypervclock, "hypervclock"),
        (TimerName.Armvtimer, "armvtimer"));

    internal static readonly XmlEnum<TimerTickPolicy> s_tickPolicy = new(
        (TimerTickPolicy.Delay, "delay"),
        (TimerTickPolicy.Catchup, "catchup"),
        (TimerTickPolicy.Merge, "merge"),
        (TimerTickPolicy.Discard, "discard"));

    internal static readonly XmlEnum<TimerTrack> s_track = new(
        (TimerTrack.Boot, "boot"),
        (TimerTrack.Guest, "guest"),
        (TimerTrack.Wall, "wall"),
        (TimerTrack.Realtime, "realtime"));

    internal static readonly XmlEnum<TimerMode> s_timerMode = new(
        (TimerMode.Auto, "auto"),
        (TimerMode.Native, "native"),
        (TimerMode.Emulate, "emulate"),
        (TimerMode.Paravirt, "paravirt"),
        (TimerMode.Smpsafe, "smpsafe"));

    public static ClockDef Parse(XElement domain)
    {
        if (domain.Element(XmlNames.Clock) is not { } clock)
        {
            return ClockDef.Default;
        }

        var offset = clock.EnumNamed("offset", s_offset, "clock offset") ?? ClockOffset.Utc;
        var result = new ClockDef { Offset = offset };
        switch (offset)
        {
            case ClockOffset.Utc or ClockOffset.Localtime:
                result = ParseFixed(clock, result, offset);
                break;
            case ClockOffset.Variable:
                result = result with
                {
                    // libvirt reads an unparsable adjustment as 0.
                    Adjustment = ParseLong(clock.Attr(XmlNames.Adjustment)) ?? 0,
                    Basis = clock.EnumNamed("basis", s_basis, "clock basis") ?? ClockBasis.Utc,
                };
                break;
            case ClockOffset.Timezone:
                result = result with
                {
                    Timezone = clock.Attr(XmlNames.Timezone) ?? ThrowHelper.Throw<string>(DomainXmlErrorKind.InternalError,
                        "missing 'timezone' attribute for clock with offset='timezone'", clock),
                };
                break;
            case ClockOffset.Absolute:
                if (clock.Attr(XmlNames.Start) is not { } start || !ulong.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seconds))
                {
                    return ThrowHelper.Throw<ClockDef>(DomainXmlErrorKind.InternalError,
                        "missing 'start' attribute for clock with offset='absolute'", clock);
                }

                result = result with { Start = seconds };
                break;
        }

        return result with { Timers = clock.Elements(XmlNames.Timer).Select(ParseTimer).ToList() };
    }

    /// <summary>utc and localtime: <c>adjustment='reset'</c>, or seconds that make the clock a variable one.</summary>
    private static ClockDef ParseFixed(XElement clock, ClockDef result, ClockOffset offset)
    {
        if (clock.Attr(XmlNames.Adjustment) is not { } adjustment)
        {
            return result;
        }

        if (adjustment == "reset")
        {
            return result with { AdjustmentReset = true };
        }

        if (ParseLong(adjustment) is not { } seconds)
        {
            return ThrowHelper.Throw<ClockDef>(DomainXmlErrorKind.XmlError, $"unknown clock adjustment '{adjustment}'", clock, "adjustment");
        }

        return result with
        {
            Offset = ClockOffset.Variable,
            Adjustment = seconds,
            Basis = offset == ClockOffset.Localtime ? ClockBasis.Localtime : ClockBasis.Utc,
        };
    }

    private static TimerDef ParseTimer(XElement timer)
    {
        var result = new TimerDef
        {
            Name = timer.Enum(XmlNames.Name, s_timerName, required: true)!.Value,
            Present = timer.YesNo(XmlNames.Present),
            TickPolicy = timer.Enum(XmlNames.Tickpolicy, s_tickPolicy),
            Track = timer.Enum(XmlNames.Track, s_track),
            Frequency = timer.ULong(XmlNames.Frequency),
            Mode = timer.Enum(XmlNames.Mode, s_timerMode),
        };
        if (timer.Element(XmlNames.Catchup) is { } catchup)
        {
            catchup.ULong(XmlNames.Threshold);
            catchup.ULong(XmlNames.Slew);
            catchup.ULong(XmlNames.Limit);
        }

        return result;
    }

    private static long? ParseLong(string? text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;
}
