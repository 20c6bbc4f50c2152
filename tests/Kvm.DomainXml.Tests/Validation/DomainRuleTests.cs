using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>
/// The semantic rules of <c>Validation/</c>: for each rule, a small definition it rejects (libvirt's category and
/// wording, and the path of the offending element) and a close variant it accepts. Split by concern into partial files.
/// </summary>
[TestFixture]
public sealed partial class DomainRuleTests
{
    private const string Pc = "<type arch='x86_64' machine='pc'>hvm</type>";
    private const string Q35 = "<type arch='x86_64' machine='q35'>hvm</type>";
    private const string PSeries = "<type arch='ppc64' machine='pseries'>hvm</type>";

    /// <summary>A minimal domain: <paramref name="head"/> goes before &lt;os&gt;, <paramref name="tail"/> after it.</summary>
    private static string Domain(string devices, string os = Pc, string head = "", string tail = "") =>
        $"<domain type='kvm'><name>t</name><memory unit='KiB'>1048576</memory>{head}<os>{os}</os>{tail}" +
        $"<devices>{devices}</devices></domain>";

    private static void AssertRejected(string xml, DomainXmlErrorKind kind, string message, string path)
    {
        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(xml, "rule.xml", DomainParseFlags.Inactive));

        Assert.That(error!.Kind, Is.EqualTo(kind));
        Assert.That(error.Message, Is.EqualTo(message));
        Assert.That(error.Location?.Path, Is.EqualTo(path));
    }

    private static void AssertAccepted(string xml) =>
        Assert.That(() => DomainXmlParser.Parse(xml, "rule.xml", DomainParseFlags.Inactive), Throws.Nothing);

    [Test]
    public void TpmParse_NoBackend_IsRejected() =>
        AssertRejected(Domain("<tpm model='tpm-tis'/>"), DomainXmlErrorKind.XmlError,
            "XML error: missing TPM device backend", "/domain/devices/tpm");

    [Test]
    public void TpmParse_EmulatorBackend_IsAccepted() =>
        AssertAccepted(Domain("<tpm model='tpm-tis'><backend type='emulator'/></tpm>"));

    [Test]
    public void ControllerIndexRule_TwoPciBridgesWithOneIndex_IsRejected() =>
        AssertRejected(
            Domain("<controller type='pci' index='0' model='pci-root'/><controller type='pci' index='1' model='pci-bridge'/>" +
                   "<controller type='pci' index='1' model='pci-bridge'/>"),
            DomainXmlErrorKind.XmlError, "XML error: Multiple 'pci' controllers with index '1'", "/domain/devices/controller[3]/@index");

    [Test]
    public void ControllerIndexRule_UsbCompanionsSharingAnIndex_IsAccepted() =>
        AssertAccepted(Domain("<controller type='usb' index='0' model='ich9-ehci1'/>" +
                              "<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/></controller>"));

    [Test]
    public void BootMenuRule_TimeoutAbove65535_IsRejected() =>
        AssertRejected(Domain("", os: Pc + "<bootmenu enable='yes' timeout='65536'/>"), DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: invalid value for boot menu timeout, must be in range [0,65535]", "/domain/os/bootmenu/@timeout");

    [Test]
    public void BootMenuRule_Timeout65535_IsAccepted() =>
        AssertAccepted(Domain("", os: Pc + "<bootmenu enable='yes' timeout='65535'/>"));

    [Test]
    public void BootMenuRule_TimeoutOfDisabledMenu_IsAccepted() =>
        AssertAccepted(Domain("", os: Pc + "<bootmenu enable='no' timeout='70000'/>"));

    [Test]
    public void S390LoadparmRule_QuestionMark_IsRejectedUpperCased() =>
        AssertRejected(
            Domain("<disk type='block' device='disk'><source dev='/dev/sda'/><target dev='vda' bus='virtio'/>" +
                   "<boot order='1' loadparm='sys1?'/></disk>", os: "<type arch='s390x' machine='s390-ccw-virtio'>hvm</type>"),
            DomainXmlErrorKind.InternalError,
            "internal error: invalid loadparm value 'SYS1?', expecting chars in set of [a-zA-Z0-9.] and blank spaces",
            "/domain/devices/disk/boot/@loadparm");

    [Test]
    public void S390LoadparmRule_LettersDigitsAndDot_IsAccepted() =>
        AssertAccepted(Domain("<disk type='block' device='disk'><source dev='/dev/sda'/><target dev='vda' bus='virtio'/>" +
                              "<boot order='1' loadparm='sys1.a'/></disk>", os: "<type arch='s390x' machine='s390-ccw-virtio'>hvm</type>"));

    [Test]
    public void SmmRule_TsegOnI440fx_IsRejected() =>
        AssertRejected(Domain("", tail: "<features><smm state='on'><tseg unit='MiB'>48</tseg></smm></features>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: SMM TSEG is only supported with q35 machine type",
            "/domain/features/smm/tseg");

    [Test]
    public void SmmRule_TsegOnQ35_IsAccepted() =>
        AssertAccepted(Domain("", os: Q35, tail: "<features><smm state='on'><tseg unit='MiB'>48</tseg></smm></features>"));

    [Test]
    public void FirmwareRule_AcpiWithoutUefiOnAarch64_IsRejected() =>
        AssertRejected(Domain("", os: "<type arch='aarch64' machine='virt'>hvm</type>", tail: "<features><acpi/></features>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: ACPI requires UEFI on this architecture",
            "/domain/features/acpi");

    [Test]
    public void FirmwareRule_AcpiWithUefiOnAarch64_IsAccepted() =>
        AssertAccepted("<domain type='kvm'><name>t</name><memory unit='KiB'>1048576</memory><os firmware='efi'>" +
                       "<type arch='aarch64' machine='virt'>hvm</type></os><features><acpi/></features><devices/></domain>");

    [Test]
    public void CpuRule_SveDisabledWithVectorLength_IsRejected() =>
        AssertRejected(
            Domain("", os: "<type arch='aarch64' machine='virt'>hvm</type>",
                tail: "<cpu mode='host-passthrough'><feature policy='disable' name='sve'/><feature policy='require' name='sve128'/></cpu>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: SVE disabled, but SVE vector lengths provided",
            "/domain/cpu/feature[1]");

    [Test]
    public void CpuRule_SveRequiredWithVectorLength_IsAccepted() =>
        AssertAccepted(Domain("", os: "<type arch='aarch64' machine='virt'>hvm</type>",
            tail: "<cpu mode='host-passthrough'><feature policy='require' name='sve'/><feature policy='require' name='sve128'/></cpu>"));

    [Test]
    public void CpuRule_PassthroughPhysBitsWithNumber_IsRejected() =>
        AssertRejected(Domain("", tail: "<cpu mode='host-passthrough'><maxphysaddr mode='passthrough' bits='42'/></cpu>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: CPU maximum physical address bits number specification cannot be used with mode='passthrough'",
            "/domain/cpu/maxphysaddr/@bits");

    [Test]
    public void CpuRule_EmulatedPhysBitsWithNumber_IsAccepted() =>
        AssertAccepted(Domain("", tail: "<cpu mode='host-passthrough'><maxphysaddr mode='emulate' bits='42'/></cpu>"));
}
