using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>Boot order, firmware selection and NVRAM, video adapters.</summary>
public sealed partial class DomainRuleTests
{
    private const string BootDisk = "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>" +
                                    "<boot order='1'/></disk>";

    [Test]
    public void BootOrderRule_DeviceOrderWithOsBoot_IsRejected() =>
        AssertRejected(Domain(BootDisk, os: Pc + "<boot dev='hd'/>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: per-device boot elements cannot be used together with os/boot elements",
            "/domain/os/boot");

    [Test]
    public void BootOrderRule_DeviceOrderAlone_IsAccepted() => AssertAccepted(Domain(BootDisk));

    [Test]
    public void BootOrderRule_OneOrderOnTwoDevices_IsRejected() =>
        AssertRejected(Domain(BootDisk + "<interface type='user'><mac address='52:54:00:00:00:01'/><boot order='1'/></interface>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: boot order '1' used for more than one device",
            "/domain/devices/interface/boot/@order");

    [Test]
    public void FirmwareSelectionRule_PflashLoaderWithoutPath_IsRejected() =>
        AssertRejected(Domain(string.Empty, os: Pc + "<loader readonly='yes' type='pflash'/>"),
            DomainXmlErrorKind.Detail, "no loader path specified and firmware auto selection disabled", "/domain/os/loader");

    [Test]
    public void FirmwareSelectionRule_PflashLoaderWithPath_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, os: Pc + "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>",
            tail: Acpi));

    [Test]
    public void FirmwareSelectionRule_NvramWithBiosAutoselection_IsRejected() =>
        AssertRejected(FirmwareDomain("bios", "<nvram>/var/lib/guest_VARS.fd</nvram>"),
            DomainXmlErrorKind.Detail, "firmware type 'bios' does not support nvram", "/domain/os/nvram");

    [Test]
    public void FirmwareSelectionRule_NvramWithEfiAutoselection_IsAccepted() =>
        AssertAccepted(FirmwareDomain("efi", "<nvram>/var/lib/guest_VARS.fd</nvram>"));

    [Test]
    public void FirmwareSelectionRule_StatelessLoaderWithNvramTemplate_IsRejected() =>
        AssertRejected(
            Domain(string.Empty, os: Pc + "<loader stateless='yes' readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>" +
                                 "<nvram template='/usr/share/OVMF/OVMF_VARS.fd'/>", tail: Acpi),
            DomainXmlErrorKind.Detail, "NVRAM template is not permitted when loader is stateless", "/domain/os/nvram/@template");

    [Test]
    public void FirmwareSelectionRule_EnrolledKeysWithoutSecureBoot_IsRejected() =>
        AssertRejected(FirmwareDomain("efi", "<firmware><feature enabled='yes' name='enrolled-keys'/>" +
                                             "<feature enabled='no' name='secure-boot'/></firmware>"),
            DomainXmlErrorKind.Detail,
            "firmware feature 'enrolled-keys' cannot be enabled when firmware feature 'secure-boot' is disabled",
            "/domain/os/firmware");

    [Test]
    public void FirmwareSelectionRule_EnrolledKeysWithSecureBoot_IsAccepted() =>
        AssertAccepted(FirmwareDomain("efi", "<firmware><feature enabled='yes' name='enrolled-keys'/>" +
                                             "<feature enabled='yes' name='secure-boot'/></firmware>"));

    [Test]
    public void VideoRule_TwoPrimaries_IsRejected() =>
        AssertRejected(Domain("<video><model type='vga' primary='yes'/></video><video><model type='qxl' primary='yes'/></video>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Only one primary video device is supported",
            "/domain/devices/video[2]/model/@primary");

    [Test]
    public void VideoRule_VgaPrimaryWithQxlSecondary_IsAccepted() =>
        AssertAccepted(Domain("<video><model type='vga' primary='yes'/></video><video><model type='qxl'/></video>"));

    [Test]
    public void VideoRule_VgaAsSecondary_IsRejected() =>
        AssertRejected(Domain("<video><model type='qxl'/></video><video><model type='vga'/></video>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: video type 'vga' is only valid as primary video device",
            "/domain/devices/video[2]");

    [Test]
    public void VideoRule_RamfbWithPciAddress_IsRejected() =>
        AssertRejected(Domain("<video><model type='ramfb'/><address type='pci' bus='0' slot='2'/></video>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: address not supported for video type ramfb",
            "/domain/devices/video/address");

    [Test]
    public void VideoRule_RamfbWithoutAddress_IsAccepted() => AssertAccepted(Domain("<video><model type='ramfb'/></video>"));

    private static string FirmwareDomain(string firmware, string osTail) =>
        "<domain type='kvm'><name>t</name><memory unit='KiB'>1048576</memory>" +
        $"<os firmware='{firmware}'>{Q35}{osTail}</os>{Acpi}<devices/></domain>";
}
