using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>Disks: target names, drive addresses, bus features, driver settings, sources and storage, IOThreads.</summary>
public sealed partial class DomainRuleTests
{
    [Test]
    public void DiskTargetRule_PartitionAsTarget_IsRejected() =>
        AssertRejected(Domain(Disk("file", "<source file='/var/lib/a.img'/><target dev='vdb1' bus='virtio'/>")),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: invalid disk target 'vdb1', partitions can't appear in disk targets",
            "/domain/devices/disk/target/@dev");

    [Test]
    public void DiskTargetRule_WholeDiskAsTarget_IsAccepted() =>
        AssertAccepted(Domain(Disk("file", "<source file='/var/lib/a.img'/><target dev='vdb' bus='virtio'/>")));

    [Test]
    public void DiskTargetRule_SameTargetOnTwoBuses_IsRejectedInLibvirtsDiskOrder() =>
        AssertRejected(
            Domain(Disk("file", "<source file='/a.img'/><target dev='hda' bus='ide'/>") +
                   Disk("file", "<source file='/usb.img'/><target dev='sda' bus='usb'/>") +
                   Disk("file", "<source file='/ide.img'/><target dev='sda' bus='ide'/>")),
            DomainXmlErrorKind.XmlError,
            "XML error: target 'sda' duplicated for disk sources '/ide.img' and '/usb.img'",
            "/domain/devices/disk[2]/target/@dev");

    [Test]
    public void DiskTargetRule_ImpliedAddressOfScsiHostDevice_IsRejected() =>
        AssertRejected(Domain(Disk("block", "<source dev='/dev/sdx'/><target dev='sda' bus='scsi'/>") + ScsiHostdev(unit: 0)),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: using disk target name 'sda' conflicts with SCSI host device address " +
            "controller='0' bus='0' target='0' unit='0",
            "/domain/devices/disk/target/@dev");

    [Test]
    public void DiskTargetRule_ScsiDiskBesideHostDeviceOnAnotherUnit_IsAccepted() =>
        AssertAccepted(Domain(Disk("block", "<source dev='/dev/sdx'/><target dev='sda' bus='scsi'/>") + ScsiHostdev(unit: 1)));

    [Test]
    public void DriveAddressRule_SecondDiskAtTheImpliedAddressOfTheFirst_IsRejected() =>
        AssertRejected(
            Domain(Disk("block", "<source dev='/dev/a'/><target dev='sda' bus='sata'/>") +
                   Disk("block", "<source dev='/dev/b'/><target dev='sdb' bus='sata'/>" + Drive(unit: 0))),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Found duplicate drive address for disk with target name 'sda' " +
            "controller='0' bus='0' target='0' unit='0'",
            "/domain/devices/disk[2]/address");

    [Test]
    public void DriveAddressRule_SecondDiskOnTheNextUnit_IsAccepted() =>
        AssertAccepted(
            Domain(Disk("block", "<source dev='/dev/a'/><target dev='sda' bus='sata'/>") +
                   Disk("block", "<source dev='/dev/b'/><target dev='sdb' bus='sata'/>" + Drive(unit: 1))));

    [Test]
    public void DriveAddressRule_TwoScsiHostDevicesAtOneAddress_IsRejected() =>
        AssertRejected(Domain(ScsiHostdev(unit: 0) + ScsiHostdev(unit: 0, hostUnit: 6)),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: SCSI host address controller='0' bus='0' target='0' unit='0' in use by another SCSI host device",
            "/domain/devices/hostdev[1]/address");

    [Test]
    public void DiskBusRule_VendorOnVirtioDisk_IsRejected() =>
        AssertRejected(Domain(Disk("block", "<source dev='/dev/a'/><target dev='vda' bus='virtio'/><vendor>SEAGATE</vendor>")),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Only scsi disk supports vendor and product",
            "/domain/devices/disk/vendor");

    [Test]
    public void DiskBusRule_VendorOnScsiDisk_IsAccepted() =>
        AssertAccepted(Domain(Disk("block", "<source dev='/dev/a'/><target dev='sda' bus='scsi'/><vendor>SEAGATE</vendor>")));

    [Test]
    public void DiskBusRule_UsbDiskWithPciAddress_IsRejected() =>
        AssertRejected(Domain(Disk("file", "<source file='/u.img'/><target dev='sda' bus='usb'/><address type='pci' slot='6'/>")),
            DomainXmlErrorKind.InternalError, "internal error: unexpected address type for usb disk",
            "/domain/devices/disk/address/@type");

    [Test]
    public void DiskBusRule_UsbDiskWithUsbAddress_IsAccepted() =>
        AssertAccepted(Domain("<controller type='usb' index='0' model='qemu-xhci'/>" +
                              Disk("file", "<source file='/u.img'/><target dev='sda' bus='usb'/><address type='usb' bus='0' port='1'/>")));

    [Test]
    public void DiskDriverRule_SharedQcow2_IsRejected() =>
        AssertRejected(Domain(Disk("block", "<driver name='qemu' type='qcow2'/><source dev='/dev/a'/><target dev='hda'/><shareable/>")),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: shared access for disk 'hda' requires use of supported storage format",
            "/domain/devices/disk/shareable");

    [Test]
    public void DiskDriverRule_SharedRaw_IsAccepted() =>
        AssertAccepted(Domain(Disk("block", "<driver name='qemu' type='raw'/><source dev='/dev/a'/><target dev='hda'/><shareable/>")));

    [Test]
    public void DiskDriverRule_TransientBlockDevice_IsRejected() =>
        AssertRejected(Domain(Disk("block", "<source dev='/dev/sdb'/><target dev='vda' bus='virtio'/><transient/>")),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: transient disk supported only with 'file' type (vda)",
            "/domain/devices/disk/transient");

    [Test]
    public void DiskDriverRule_TransientImageFile_IsAccepted() =>
        AssertAccepted(Domain(Disk("file", "<source file='/a.qcow2'/><target dev='vda' bus='virtio'/><transient/>")));

    [Test]
    public void DiskSourceRule_AuthOnDiskAndSource_IsRejected() =>
        AssertRejected(IscsiDiskWithSourceAuth("<auth username='u'><secret type='iscsi' usage='u'/></auth>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: an <auth> definition already found for disk source",
            "/domain/devices/disk/auth");

    [Test]
    public void DiskSourceRule_AuthOnSourceOnly_IsAccepted() => AssertAccepted(IscsiDiskWithSourceAuth(string.Empty));

    [Test]
    public void DiskSourceRule_SecretWithoutType_IsRejected() =>
        AssertRejected(IscsiDisk("iscsi").Replace(" type='iscsi'", string.Empty, StringComparison.Ordinal),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: unknown secret type '<null>'",
            "/domain/devices/disk/auth/secret");

    [Test]
    public void DiskSourceRule_LunOnFile_IsRejected() =>
        AssertRejected(Domain("<disk type='file' device='lun'><source file='/a.img'/><target dev='vda' bus='virtio'/></disk>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: disk device='lun' is only valid for block type disk source",
            "/domain/devices/disk/@type");

    [Test]
    public void DiskSourceRule_LunOnBlockDevice_IsAccepted() =>
        AssertAccepted(Domain("<disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='vda' bus='virtio'/></disk>"));

    [Test]
    public void DiskSourceRule_LuksInVmdk_IsRejected() =>
        AssertRejected(LuksDisk(string.Empty).Replace("type='raw'", "type='vmdk'", StringComparison.Ordinal),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: encryption is supported only with 'raw' and 'qcow2' image format",
            "/domain/devices/disk/encryption");

    [Test]
    public void DiskStorageRule_ReadWriteVirtualFat_IsRejected() =>
        AssertRejected(Domain("<disk type='dir' device='disk'><driver name='qemu' type='fat'/><source dir='/srv'/><target dev='vda' bus='virtio'/></disk>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: virtual FAT storage can't be accessed in read-write mode",
            "/domain/devices/disk");

    [Test]
    public void DiskStorageRule_ReadOnlyVirtualFat_IsAccepted() =>
        AssertAccepted(Domain("<disk type='dir' device='disk'><driver name='qemu' type='fat'/><source dir='/srv'/><target dev='vda' bus='virtio'/>" +
                              "<readonly/></disk>"));

    [Test]
    public void IothreadRule_SchedulingAnUnknownIothread_IsRejected() =>
        AssertRejected(Domain(string.Empty, head: "<iothreads>1</iothreads><cputune><iothreadsched iothreads='2' scheduler='batch'/></cputune>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Cannot find 'iothread' : 2",
            "/domain/cputune/iothreadsched/@iothreads");

    [Test]
    public void IothreadRule_SchedulingAnExistingIothread_IsAccepted() =>
        AssertAccepted(Domain(string.Empty, head: "<iothreads>2</iothreads><cputune><iothreadsched iothreads='2' scheduler='batch'/></cputune>"));

    [Test]
    public void IothreadRule_DiskOnUndefinedIothread_IsRejected() =>
        AssertRejected(Domain(Disk("file", "<driver name='qemu' iothread='3'/><source file='/a.img'/><target dev='vda' bus='virtio'/>"),
                head: "<iothreads>2</iothreads>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Disk iothread '3' not defined in iothreadid",
            "/domain/devices/disk/driver/@iothread");

    [Test]
    public void VhostUserDiskRule_SerialOnVhostUserDisk_IsRejected() =>
        AssertRejected(Domain(VhostUserDisk("<serial>abc</serial>"), head: SharedMemory),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: serial is not supported with vhostuser disk",
            "/domain/devices/disk/serial");

    [Test]
    public void VhostUserDiskRule_WithoutSharedMemory_IsRejected() =>
        AssertRejected(Domain(VhostUserDisk(string.Empty)),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: 'vhostuser' requires shared memory", "/domain/devices/disk");

    [Test]
    public void VhostUserDiskRule_PlainVhostUserDisk_IsAccepted() => AssertAccepted(Domain(VhostUserDisk(string.Empty), head: SharedMemory));

    private static string VhostUserDisk(string extra) =>
        "<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/><source type='unix' path='/tmp/vhost.sock'/>" +
        $"<target dev='vda' bus='virtio'/>{extra}</disk>";

    private static string Disk(string type, string body) => $"<disk type='{type}' device='disk'>{body}</disk>";

    private static string Drive(uint unit) => $"<address type='drive' controller='0' bus='0' target='0' unit='{unit}'/>";

    private static string ScsiHostdev(uint unit, uint hostUnit = 5) =>
        "<hostdev mode='subsystem' type='scsi' managed='no'><source><adapter name='scsi_host2'/>" +
        $"<address bus='0' target='0' unit='{hostUnit}'/></source>{Drive(unit)}</hostdev>";

    private static string IscsiDiskWithSourceAuth(string diskAuth) =>
        Domain("<disk type='network' device='disk'><driver name='qemu' type='raw'/>" + diskAuth +
               "<source protocol='iscsi' name='iqn.1992-01.com.example:storage/1'><host name='example.org' port='6000'/>" +
               "<auth username='u'><secret type='iscsi' usage='u'/></auth></source><target dev='vda' bus='virtio'/></disk>");
}
