using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Guest timers exist on their platform: the TSC, kvmclock and the Hyper-V clock are x86's (asking for them elsewhere
/// fails), the ARM virtual timer is KVM on ARM virt's and cannot be removed; the RTC and PIT keep only the tick
/// policies the emulation implements; there is no 'platform' timer; an absolute start time fits a calendar date
/// (qemuValidateDomainDefClockTimers).
/// </summary>
internal sealed class ClockTimerRule : IDomainRule
{
    /// <summary>9999-12-31T23:59:59, the latest time glib converts.</summary>
    private const ulong MaxAbsoluteStart = 253402300799;

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        if (domain.Element(XmlNames.Clock) is not { } clock)
        {
            return;
        }

        var machine = context.Machine;
        foreach (var timer in clock.Elements(XmlNames.Timer))
        {
            CheckTimer(timer, machine, definition.VirtType);
        }

        if (clock.Attr(XmlNames.Offset) == "absolute" && clock.ULong(XmlNames.Start) is > MaxAbsoluteStart)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"The maximum 'start' value for <clock offset='absolute'> is {MaxAbsoluteStart}", clock, "start");
        }
    }

    private static void CheckTimer(XElement timer, MachineType machine, string virtType)
    {
        string? name = timer.Attr(XmlNames.Name);
        string? tickpolicy = timer.Attr(XmlNames.Tickpolicy);
        string unsupportedHere =
            $"Configuring the '{name}' timer is not supported for virtType={virtType} arch={machine.Arch} machine={machine.Machine} guests";
        switch (name)
        {
            case "platform":
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "unsupported timer type (name) 'platform'", timer, "name");
                break;
            case "tsc" or "kvmclock" or "hypervclock" when !machine.IsX86 && timer.Attr(XmlNames.Present) == "yes":
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, unsupportedHere, timer);
                break;
            case "rtc" when timer.Attr(XmlNames.Track) == "boot":
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "unsupported rtc timer track 'boot'", timer, "track");
                break;
            case "rtc" when tickpolicy is "merge" or "discard":
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported rtc timer tickpolicy '{tickpolicy}'", timer, "tickpolicy");
                break;
            case "pit" when tickpolicy == "merge":
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported pit tickpolicy '{tickpolicy}'", timer, "tickpolicy");
                break;
            case "armvtimer":
                if (virtType != "kvm" || !machine.IsArmVirt)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, unsupportedHere, timer);
                }

                if (timer.Attr(XmlNames.Present) == "no")
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "The 'armvtimer' timer can't be disabled", timer, "present");
                }

                if (tickpolicy is "catchup" or "merge")
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                        $"The 'armvtimer' timer does not support tickpolicy '{tickpolicy}'", timer, "tickpolicy");
                }

                break;
        }
    }
}
