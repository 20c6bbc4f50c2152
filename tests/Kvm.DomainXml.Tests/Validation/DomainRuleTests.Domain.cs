using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>Domain-wide settings: security labels, sysinfo, the emulator binary.</summary>
public sealed partial class DomainRuleTests
{
    private const string SysinfoUuid = "c7a5fdbd-edaf-9455-926a-d65c16db1809";

    [Test]
    public void SeclabelRule_TwoSelinuxLabels_IsRejected() =>
        AssertRejected(Domain(string.Empty, tail: StaticSelinux("c1") + StaticSelinux("c2")),
            DomainXmlErrorKind.Detail, "seclabel for model selinux is already provided", "/domain/seclabel[2]/@model");

    [Test]
    public void SeclabelRule_SelinuxAndDac_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, tail: StaticSelinux("c1") + "<seclabel type='dynamic' model='dac' relabel='yes'/>"));

    [Test]
    public void SeclabelRule_SeveralLabelsOneWithoutModel_IsRejected() =>
        AssertRejected(Domain(string.Empty, tail: "<seclabel type='none' relabel='no'/><seclabel type='dynamic' model='dac' relabel='yes'/>"),
            DomainXmlErrorKind.XmlError, "XML error: missing security model when using multiple labels", "/domain/seclabel[1]");

    [Test]
    public void SysinfoRule_UuidOtherThanTheDomains_IsRejected() =>
        AssertRejected(SysinfoDomain("<uuid>" + SysinfoUuid + "</uuid>", "<system><entry name='uuid'>a94b4335-6a14-8bc4-d6da-f7ea590b6816</entry></system>"),
            DomainXmlErrorKind.Detail, "UUID mismatch between <uuid> and <sysinfo>", "/domain/sysinfo/system/entry");

    [Test]
    public void SysinfoRule_UuidOnlyInSysinfo_IsAcceptedAndBecomesTheDomains()
    {
        string xml = SysinfoDomain(string.Empty, $"<system><entry name='uuid'>{SysinfoUuid}</entry></system>");

        var document = DomainXmlParser.Parse(xml, "rule.xml", DomainParseFlags.Inactive);

        Assert.That(document.Definition.Uuid, Is.EqualTo(Guid.Parse(SysinfoUuid)));
    }

    [Test]
    public void SysinfoRule_MalformedBiosDate_IsRejected() =>
        AssertRejected(SysinfoDomain(string.Empty, "<bios><entry name='date'>999/999/123</entry></bios>"),
            DomainXmlErrorKind.Detail, "Invalid BIOS 'date' format", "/domain/sysinfo/bios/entry");

    [Test]
    public void SysinfoRule_BiosDate_IsAccepted() =>
        AssertAccepted(SysinfoDomain(string.Empty, "<bios><entry name='date'>01/01/2011</entry></bios>"));

    [Test]
    public void EmulatorRule_AlphaGuestOnX86Emulator_IsRejected() =>
        AssertRejected(Domain("<emulator>/usr/bin/qemu-system-x86_64</emulator>", os: "<type arch='alpha'>hvm</type>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Emulator '/usr/bin/qemu-system-x86_64' does not support arch 'alpha'",
            "/domain/os/type/@arch");

    [Test]
    public void EmulatorRule_I686GuestOnX86Emulator_IsAccepted() =>
        AssertAccepted(Domain("<emulator>/usr/bin/qemu-system-x86_64</emulator>", os: "<type arch='i686' machine='pc'>hvm</type>"));

    [Test]
    public void LifecycleRule_PreserveOnReboot_IsRejected() =>
        AssertRejected(Domain(string.Empty, tail: "<on_reboot>preserve</on_reboot>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: qemu driver doesn't support the 'preserve' action for 'on_reboot'/'on_poweroff'",
            "/domain/on_reboot");

    [Test]
    public void LifecycleRule_PreserveOnCrash_IsAccepted() => AssertAccepted(Domain(string.Empty, tail: "<on_crash>preserve</on_crash>"));

    [Test]
    public void BiosSerialRule_SerialBiosWithoutSerialPort_IsRejected() =>
        AssertRejected(Domain(string.Empty, os: Pc + "<bios useserial='yes'/>"),
            DomainXmlErrorKind.XmlError, "XML error: need at least one serial port to use BIOS serial output", "/domain/os/bios/@useserial");

    [Test]
    public void BiosSerialRule_SerialBiosWithSerialPort_IsAccepted() =>
        AssertAccepted(Domain("<serial type='pty'/>", os: Pc + "<bios useserial='yes'/>"));

    [Test]
    public void AliasRule_OneUserAliasTwice_IsRejected() =>
        AssertRejected(Domain("<serial type='pty'><alias name='ua-s'/></serial><serial type='pty'><alias name='ua-s'/></serial>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: non unique alias detected: ua-s",
            "/domain/devices/serial[2]/alias/@name");

    [Test]
    public void AliasRule_ConsoleSharingTheSerialsAlias_IsAccepted() =>
        AssertAccepted(Domain("<serial type='pty'><alias name='ua-s'/></serial><console type='pty'><target type='serial'/>" +
                              "<alias name='ua-s'/></console>"));

    [Test]
    public void BlkiotuneRule_OneDeviceTwice_IsRejected() =>
        AssertRejected(Domain(string.Empty, head: "<blkiotune><device><path>/dev/sda</path><weight>500</weight></device>" +
                                                 "<device><path>/dev/sda</path><weight>300</weight></device></blkiotune>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: duplicate blkio device path '/dev/sda'",
            "/domain/blkiotune/device[2]/path");

    [Test]
    public void BlkiotuneRule_TwoDevices_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, head: "<blkiotune><device><path>/dev/sda</path><weight>500</weight></device>" +
                                                  "<device><path>/dev/sdb</path><weight>300</weight></device></blkiotune>"));

    private static string StaticSelinux(string category) =>
        $"<seclabel type='static' model='selinux' relabel='yes'><label>system_u:system_r:svirt_t:s0:{category}</label></seclabel>";

    private static string SysinfoDomain(string uuid, string sysinfo) =>
        $"<domain type='kvm'><name>t</name>{uuid}<memory unit='KiB'>1048576</memory><sysinfo type='smbios'>{sysinfo}</sysinfo>" +
        $"<os>{Pc}</os><devices/></domain>";
}
