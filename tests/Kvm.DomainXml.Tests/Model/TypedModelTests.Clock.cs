using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Model;

/// <summary><c>&lt;clock&gt;</c>, <c>&lt;pm&gt;</c> and the firmware parts of <c>&lt;os&gt;</c>.</summary>
public sealed partial class TypedModelTests
{
    [Test]
    public void ParseClock_NoClockElement_IsUtc() => Assert.That(Parse(Domain()).Clock, Is.SameAs(ClockDef.Default));

    [Test]
    public void ParseClock_LocaltimeWithAdjustment_IsVariableFromLocaltime()
    {
        var clock = Parse(Domain(head: "<clock offset='localtime' adjustment='-3600'/>")).Clock;

        Assert.That(clock.Offset, Is.EqualTo(ClockOffset.Variable));
        Assert.That(clock.Basis, Is.EqualTo(ClockBasis.Localtime));
        Assert.That(clock.Adjustment, Is.EqualTo(-3600));
    }

    [Test]
    public void ParseClock_UtcWithAdjustmentReset_StaysUtc()
    {
        var clock = Parse(Domain(head: "<clock offset='utc' adjustment='reset'/>")).Clock;

        Assert.That(clock.Offset, Is.EqualTo(ClockOffset.Utc));
        Assert.That(clock.AdjustmentReset, Is.True);
    }

    [Test]
    public void ParseClock_TimezoneAndTscTimer_AreTyped()
    {
        var clock = Parse(Domain(head:
            "<clock offset='timezone' timezone='Europe/Paris'><timer name='tsc' frequency='3504000000' mode='native'/>" +
            "<timer name='rtc' track='guest'/></clock>")).Clock;

        Assert.That(clock.Timezone, Is.EqualTo("Europe/Paris"));
        Assert.That(clock.Timers, Is.EqualTo(new[]
        {
            new TimerDef { Name = TimerName.Tsc, Frequency = 3504000000, Mode = TimerMode.Native },
            new TimerDef { Name = TimerName.Rtc, Track = TimerTrack.Guest },
        }));
    }

    [Test]
    public void ParseClock_UnknownOffset_IsRejected() =>
        AssertRejected(Domain(head: "<clock offset='mars'/>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: unknown clock offset 'mars'", "/domain/clock/@offset");

    [Test]
    public void ParseClock_BadAdjustment_IsRejected() =>
        AssertRejected(Domain(head: "<clock offset='utc' adjustment='soon'/>"), DomainXmlErrorKind.XmlError,
            "XML error: unknown clock adjustment 'soon'", "/domain/clock/@adjustment");

    [Test]
    public void ParseClock_TimezoneWithoutZone_IsRejected() =>
        AssertRejected(Domain(head: "<clock offset='timezone'/>"), DomainXmlErrorKind.InternalError,
            "internal error: missing 'timezone' attribute for clock with offset='timezone'", "/domain/clock");

    [Test]
    public void ParseClock_UnknownTimer_IsRejected() =>
        AssertRejected(Domain(head: "<clock offset='utc'><timer name='rtc'/><timer name='sundial'/></clock>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'name' in element 'timer': 'sundial'.", "/domain/clock/timer[2]/@name");

    [Test]
    public void ParseClock_TickpolicyNone_IsRejected() =>
        AssertRejected(Domain(head: "<clock offset='utc'><timer name='pit' tickpolicy='none'/></clock>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'tickpolicy' in element 'timer': 'none'.", "/domain/clock/timer/@tickpolicy");

    [Test]
    public void ParsePm_OnlySuspendToMem_LeavesDiskUnset() =>
        Assert.That(Parse(Domain(head: "<pm><suspend-to-mem enabled='yes'/></pm>")).Pm, Is.EqualTo(new PmDef(true, null)));

    [Test]
    public void ParsePm_EnabledOn_IsRejected() =>
        AssertRejected(Domain(head: "<pm><suspend-to-disk enabled='on'/></pm>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'enabled' in element 'suspend-to-disk': 'on'.", "/domain/pm/suspend-to-disk/@enabled");

    [Test]
    public void ParseOs_LoaderNvramBootMenuSmbios_AreTyped()
    {
        var os = Parse(Domain(os:
            "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.secboot.fd</loader>" +
            "<nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/nvram/t_VARS.fd</nvram>" +
            "<bootmenu enable='yes' timeout='3000'/><smbios mode='sysinfo'/>")).Os;

        Assert.That(os.LoaderDetails, Is.EqualTo(new OsLoaderDef
        {
            Path = "/usr/share/OVMF/OVMF_CODE.secboot.fd", ReadOnly = true, Secure = true, Type = LoaderType.Pflash,
        }));
        Assert.That(os.Loader, Is.EqualTo("/usr/share/OVMF/OVMF_CODE.secboot.fd"));
        Assert.That(os.NvramDetails, Is.EqualTo(new OsNvramDef { Path = "/var/lib/nvram/t_VARS.fd", Template = "/usr/share/OVMF/OVMF_VARS.fd" }));
        Assert.That(os.BootMenu, Is.True);
        Assert.That(os.BootMenuTimeout, Is.EqualTo(3000));
        Assert.That(os.SmbiosMode, Is.EqualTo("sysinfo"));
    }

    [Test]
    public void ParseOs_TimeoutOfDisabledBootMenu_IsNotRead() =>
        Assert.That(Parse(Domain(os: "<bootmenu enable='no' timeout='3000'/>")).Os.BootMenuTimeout, Is.Null);

    [Test]
    public void ParseOs_LoaderTypeNone_IsRejected() =>
        AssertRejected(Domain(os: "<loader type='none'>/fw.bin</loader>"), DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'type' in element 'loader': 'none'.", "/domain/os/loader/@type");

    [Test]
    public void ParseOs_UnknownSmbiosMode_IsRejected() =>
        AssertRejected(Domain(os: "<smbios mode='magic'/>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: unknown smbios mode 'magic'", "/domain/os/smbios/@mode");
}
