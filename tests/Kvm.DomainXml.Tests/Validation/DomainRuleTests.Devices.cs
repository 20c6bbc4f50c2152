using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>Disks, host devices, video, graphics, input, character devices, panic and IOMMU.</summary>
public sealed partial class DomainRuleTests
{
    private const string SataDisk = "<disk type='block' device='disk'><source dev='/dev/sda'/><target dev='sda' bus='sata'/>";
    private const string Acpi = "<features><acpi/></features>";
    private const string MdevUuid = "53764d0e-85a0-42b4-af5c-2046b460b1dc";

    [Test]
    public void DiskAddressRule_SataDiskWithPciAddress_IsRejected() =>
        AssertRejected(Domain(SataDisk + "<address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x1'/></disk>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Invalid address type 'pci' for the disk 'sda' with the bus type 'sata'",
            "/domain/devices/disk/address/@type");

    [Test]
    public void DiskAddressRule_SataDiskWithDriveAddress_IsAccepted() =>
        AssertAccepted(Domain(SataDisk + "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"));

    [Test]
    public void DiskSourceRule_DirectoryFormat_IsRejected() =>
        AssertRejected(
            Domain("<disk type='block' device='disk'><driver name='qemu' type='dir'/><source dev='/dev/sda'/><target dev='hda'/></disk>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: 'directory' storage format is not directly supported, use 'dir' disk type instead",
            "/domain/devices/disk/driver/@type");

    [Test]
    public void DiskSourceRule_LuksWithCipher_IsRejected() =>
        AssertRejected(LuksDisk("<cipher name='serpent' size='256' mode='cbc' hash='sha256'/>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: supplying <cipher> for domain disk definition is unnecessary",
            "/domain/devices/disk/encryption/cipher");

    [Test]
    public void DiskSourceRule_LuksWithoutCipher_IsAccepted() => AssertAccepted(LuksDisk(string.Empty));

    [Test]
    public void DiskSourceRule_IscsiWithCephSecret_IsRejected() =>
        AssertRejected(IscsiDisk("ceph"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: invalid secret type 'ceph'",
            "/domain/devices/disk/auth/secret/@type");

    [Test]
    public void DiskSourceRule_IscsiWithIscsiSecret_IsAccepted() => AssertAccepted(IscsiDisk("iscsi"));

    [Test]
    public void HostdevRule_SameMediatedDeviceTwice_IsRejected() =>
        AssertRejected(Domain(Mdev(MdevUuid) + Mdev(MdevUuid)),
            DomainXmlErrorKind.XmlError,
            "XML error: Hostdev already exists in the domain configuration",
            "/domain/devices/hostdev[2]");

    [Test]
    public void HostdevRule_TwoMediatedDevices_IsAccepted() =>
        AssertAccepted(Domain(Mdev(MdevUuid) + Mdev("53764d0e-85a0-42b4-af5c-2046b460b1dd")));

    [Test]
    public void HostdevRule_BootFromVhostScsi_IsRejected() =>
        AssertRejected(Domain(VhostScsi("<boot order='1'/>")),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: booting from assigned devices is not supported by vhost SCSI devices",
            "/domain/devices/hostdev/boot");

    [Test]
    public void HostdevRule_VhostScsiWithoutBoot_IsAccepted() => AssertAccepted(Domain(VhostScsi(string.Empty)));

    [Test]
    public void VideoRule_NoneBesideQxl_IsRejected() =>
        AssertRejected(Domain("<video><model type='qxl'/></video><video><model type='none'/></video>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: a 'none' video type must be the only video device defined for the domain",
            "/domain/devices/video[2]");

    [Test]
    public void VideoRule_NoneAlone_IsAccepted() => AssertAccepted(Domain("<video><model type='none'/></video>"));

    [Test]
    public void GraphicsRule_SpiceOpenGlWithEglHeadless_IsRejected() =>
        AssertRejected(Domain("<graphics type='spice'><listen type='none'/><gl enable='yes'/></graphics><graphics type='egl-headless'/>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: multiple OpenGL displays are not supported",
            "/domain/devices/graphics[1]/gl");

    [Test]
    public void GraphicsRule_VncWithEglHeadless_IsAccepted() =>
        AssertAccepted(Domain("<graphics type='vnc'/><graphics type='egl-headless'/>"));

    [Test]
    public void Ps2InputRule_Ps2MouseWithoutPs2_IsRejected() =>
        AssertRejected(Domain("<input type='mouse' bus='ps2'/>", os: Q35, tail: "<features><ps2 state='off'/></features>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: ps2 bus inputs require the ps2 feature not to be disabled",
            "/domain/devices/input/@bus");

    [Test]
    public void Ps2InputRule_UsbTabletWithoutPs2_IsAccepted() =>
        AssertAccepted(Domain("<input type='tablet' bus='usb'/>", os: Q35, tail: "<features><ps2 state='off'/></features>"));

    [Test]
    public void ParallelPortRule_ParallelOnPSeries_IsRejected() =>
        AssertRejected(Domain("<parallel type='pty'/>", os: PSeries),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: parallel ports are not supported",
            "/domain/devices/parallel");

    [Test]
    public void ParallelPortRule_ParallelOnPc_IsAccepted() => AssertAccepted(Domain("<parallel type='pty'/>"));

    [Test]
    public void PanicRule_PSeriesPanicWithAddress_IsRejected() =>
        AssertRejected(Domain("<panic><address type='isa' iobase='0x505'/></panic>", os: PSeries),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: setting the panic device address is not supported for model 'pseries'",
            "/domain/devices/panic/address");

    [Test]
    public void PanicRule_IsaPanicWithAddressOnPc_IsAccepted() =>
        AssertAccepted(Domain("<panic model='isa'><address type='isa' iobase='0x505'/></panic>"));

    [Test]
    public void IommuRule_VirtioIommuWithMmioAddress_IsRejected() =>
        AssertRejected(Domain("<iommu model='virtio'><address type='virtio-mmio'/></iommu>", os: Q35, tail: Acpi),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: IOMMU device: 'virtio' needs a PCI address",
            "/domain/devices/iommu/address/@type");

    [Test]
    public void IommuRule_VirtioIommuWithPciAddress_IsAccepted() =>
        AssertAccepted(Domain("<iommu model='virtio'><address type='pci' bus='0' slot='3'/></iommu>", os: Q35, tail: Acpi));

    private static string LuksDisk(string cipher) =>
        Domain("<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/var/lib/disk.img'/>" +
               "<target dev='vda' bus='virtio'/><encryption format='luks'>" +
               $"<secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>{cipher}</encryption></disk>");

    private static string IscsiDisk(string secretType) =>
        Domain("<disk type='network' device='disk'><driver name='qemu' type='raw'/>" +
               $"<auth username='myname'><secret type='{secretType}' usage='mycluster_myname'/></auth>" +
               "<source protocol='iscsi' name='iqn.1992-01.com.example:storage/1'><host name='example.org' port='6000'/></source>" +
               "<target dev='vda' bus='virtio'/></disk>");

    private static string Mdev(string uuid) =>
        $"<hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci'><source><address uuid='{uuid}'/></source></hostdev>";

    private static string VhostScsi(string boot) =>
        $"<hostdev mode='subsystem' type='scsi_host' managed='no'><source protocol='vhost' wwpn='naa.5123456789abcde0'/>{boot}</hostdev>";
}
