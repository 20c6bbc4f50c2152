using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>
/// TPMs, serial ports, SPICE channels, interfaces, inputs, filesystems, shared memory, USB devices without USB and the
/// IOMMU's place on the root bus.
/// </summary>
public sealed partial class DomainRuleTests
{
    [Test]
    public void TpmRule_Tpm12OnArmVirt_IsRejected() =>
        AssertRejected(Domain("<tpm model='tpm-tis'><backend type='emulator' version='1.2'/></tpm>", os: Aarch64Virt),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: TPM 1.2 is not supported on ARM",
            "/domain/devices/tpm/backend/@version");

    [Test]
    public void TpmRule_Tpm20OnArmVirt_IsAccepted() =>
        AssertAccepted(Domain("<tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm>", os: Aarch64Virt));

    [Test]
    public void TpmRule_TwoTpms_IsRejected() =>
        AssertRejected(Domain(SpaprTpm + SpaprTpm, os: PSeries),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: only a single TPM non-proxy device is supported",
            "/domain/devices/tpm[2]");

    [Test]
    public void TpmRule_TpmAndProxy_IsAccepted() =>
        AssertAccepted(Domain(SpaprTpm + "<tpm model='spapr-tpm-proxy'><backend type='passthrough'><device path='/dev/tpmrm0'/>" +
                              "</backend></tpm>", os: PSeries));

    [Test]
    public void SerialTargetRule_Pl011OnPc_IsRejected() =>
        AssertRejected(Domain("<serial type='pty'><target type='system-serial'><model name='pl011'/></target></serial>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Serial device with target type 'system-serial' and target model 'pl011' not compatible " +
            "with guest architecture or machine type",
            "/domain/devices/serial/target");

    [Test]
    public void SerialTargetRule_Pl011OnArmVirt_IsAccepted() =>
        AssertAccepted(Domain("<serial type='pty'><target type='system-serial'><model name='pl011'/></target></serial>", os: Aarch64Virt));

    [Test]
    public void SpiceChannelRule_SpicevmcWithoutSpice_IsRejected() =>
        AssertRejected(Domain(SpiceChannel),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: chardev 'spicevmc' not supported without spice graphics",
            "/domain/devices/channel/@type");

    [Test]
    public void SpiceChannelRule_SpicevmcWithSpice_IsAccepted() => AssertAccepted(Domain("<graphics type='spice'/>" + SpiceChannel));

    [Test]
    public void InterfaceRule_RxQueueNotPowerOfTwo_IsRejected() =>
        AssertRejected(Domain(VirtioNic("<driver rx_queue_size='511'/>")),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: rx_queue_size has to be a power of two",
            "/domain/devices/interface/driver/@rx_queue_size");

    [Test]
    public void InterfaceRule_RxQueuePowerOfTwo_IsAccepted() => AssertAccepted(Domain(VirtioNic("<driver rx_queue_size='512'/>")));

    [Test]
    public void InterfaceRule_NegativeQueues_IsRejected() =>
        AssertRejected(Domain(VirtioNic("<driver name='vhost' queues='-5'/>")),
            DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'queues' in element 'driver': '-5'. Expected non-negative integer value",
            "/domain/devices/interface/driver/@queues");

    [Test]
    public void InputRule_TransitionalVirtioKeyboard_IsRejected() =>
        AssertRejected(Domain("<input type='keyboard' bus='virtio' model='virtio-non-transitional'/>", os: Q35),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: virtio (non-)transitional models are not supported for input type=keyboard",
            "/domain/devices/input/@model");

    [Test]
    public void InputRule_VirtioKeyboard_IsAccepted() =>
        AssertAccepted(Domain("<input type='keyboard' bus='virtio' model='virtio'/>", os: Q35));

    [Test]
    public void FilesystemRule_ReadOnlyVirtiofs_IsRejected() =>
        AssertRejected(Domain(Virtiofs("<readonly/>"), head: SharedMemory),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: virtiofs does not yet support read-only mode",
            "/domain/devices/filesystem/readonly");

    [Test]
    public void FilesystemRule_ReadWriteVirtiofs_IsAccepted() => AssertAccepted(Domain(Virtiofs(string.Empty), head: SharedMemory));

    [Test]
    public void FilesystemRule_VirtiofsWithoutSharedMemory_IsRejected() =>
        AssertRejected(Domain(Virtiofs(string.Empty)),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: 'virtiofs' requires shared memory", "/domain/devices/filesystem");

    [Test]
    public void AudioRule_SoundOnMissingAudio_IsRejected() =>
        AssertRejected(Domain("<sound model='ich9'><audio id='2'/></sound><audio id='1' type='none'/>"),
            DomainXmlErrorKind.XmlError, "XML error: no audio device with ID 2", "/domain/devices/sound/audio/@id");

    [Test]
    public void AudioRule_SoundOnExistingAudio_IsAccepted() =>
        AssertAccepted(Domain("<sound model='ich9'><audio id='1'/></sound><audio id='1' type='none'/>"));

    [Test]
    public void WatchdogRule_Ib700WithAddress_IsRejected() =>
        AssertRejected(Domain("<watchdog model='ib700' action='poweroff'><address type='isa' iobase='0x443'/></watchdog>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: ib700 model of watchdog does not support configuring the address", "/domain/devices/watchdog");

    [Test]
    public void WatchdogRule_Ib700OnPc_IsAccepted() => AssertAccepted(Domain("<watchdog model='ib700' action='poweroff'/>"));

    [Test]
    public void VsockRule_ReservedCid_IsRejected() =>
        AssertRejected(Domain("<vsock model='virtio'><cid auto='no' address='2'/></vsock>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: guest CIDs must be >= 3", "/domain/devices/vsock/cid/@address");

    [Test]
    public void VsockRule_Cid3_IsAccepted() => AssertAccepted(Domain("<vsock model='virtio'><cid auto='no' address='3'/></vsock>"));

    [Test]
    public void HostdevRule_UsbHostDeviceWithPciAddress_IsRejected() =>
        AssertRejected(Domain("<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product id='0xbeef'/></source>" +
                              "<address type='pci' slot='7'/></hostdev>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: USB host device must use 'usb' address type",
            "/domain/devices/hostdev/address/@type");

    [Test]
    public void GraphicsRule_LongVncPassword_IsRejected() =>
        AssertRejected(Domain("<graphics type='vnc' passwd='123456789'/>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: VNC password is 9 characters long, only 8 permitted",
            "/domain/devices/graphics/@passwd");

    [Test]
    public void GraphicsRule_EightCharacterVncPassword_IsAccepted() => AssertAccepted(Domain("<graphics type='vnc' passwd='12345678'/>"));

    [Test]
    public void NvramDeviceRule_NvramOnPc_IsRejected() =>
        AssertRejected(Domain("<nvram/>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: nvram device is only supported for PPC64", "/domain/devices/nvram");

    [Test]
    public void NvramDeviceRule_NvramOnPSeries_IsAccepted() =>
        AssertAccepted(Domain("<nvram><address type='spapr-vio' reg='0x3000'/></nvram>", os: PSeries));

    [Test]
    public void MemballoonRule_XenBalloon_IsRejected() =>
        AssertRejected(Domain("<memballoon model='xen'/>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Memory balloon device type 'xen' is not supported by this version of qemu",
            "/domain/devices/memballoon/@model");

    [Test]
    public void MemballoonRule_VirtioBalloon_IsAccepted() => AssertAccepted(Domain("<memballoon model='virtio'/>"));

    [Test]
    public void ChardevChannelRule_SpiceportWithoutChannel_IsRejected() =>
        AssertRejected(Domain("<graphics type='spice'/><serial type='spiceport'><source/></serial>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Missing source channel attribute for char device",
            "/domain/devices/serial/source");

    [Test]
    public void ChardevChannelRule_SpiceportWithChannel_IsAccepted() =>
        AssertAccepted(Domain("<graphics type='spice'/><serial type='spiceport'><source channel='org.qemu.console.serial.0'/></serial>"));

    [Test]
    public void InterfaceRule_PortForwardWithoutPasst_IsRejected() =>
        AssertRejected(Domain("<interface type='user'><mac address='52:54:00:00:00:01'/><portForward proto='tcp'><range start='2022' to='22'/>" +
                              "</portForward></interface>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: The <portForward> element can only be used with <interface type='user'> and its 'passt' backend",
            "/domain/devices/interface/portForward");

    [Test]
    public void InterfaceRule_PortForwardWithPasst_IsAccepted() =>
        AssertAccepted(Domain("<interface type='user'><mac address='52:54:00:00:00:01'/><backend type='passt'/>" +
                              "<portForward proto='tcp'><range start='2022' to='22'/></portForward></interface>"));

    [Test]
    public void HostdevRule_PersistentTeamingOnHostdev_IsRejected() =>
        AssertRejected(Domain("<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='0x3b' slot='0x02' function='0'/>" +
                              "</source><teaming type='persistent'/></hostdev>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: teaming hostdev devices must have type='transient'",
            "/domain/devices/hostdev/teaming");

    [Test]
    public void ShmemRule_MsiWithoutServer_IsRejected() =>
        AssertRejected(Domain("<shmem name='shmem0'><msi/></shmem>"),
            DomainXmlErrorKind.XmlError, "XML error: msi option is only supported with a server", "/domain/devices/shmem/msi");

    [Test]
    public void ShmemRule_MsiWithServer_IsAccepted() =>
        AssertAccepted(Domain("<shmem name='shmem0'><model type='ivshmem-doorbell'/><server path='/tmp/s'/><msi/></shmem>"));

    [Test]
    public void UsbControllerRule_UsbTabletWithoutUsb_IsRejected() =>
        AssertRejected(Domain("<controller type='usb' model='none' index='0'/><input type='tablet' bus='usb'/>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: Can't add USB input device. USB bus is disabled",
            "/domain/devices/input");

    [Test]
    public void UsbControllerRule_Ps2MouseWithoutUsb_IsAccepted() =>
        AssertAccepted(Domain("<controller type='usb' model='none' index='0'/><input type='mouse' bus='ps2'/>"));

    [Test]
    public void UsbControllerRule_XhciWith16Ports_IsRejected() =>
        AssertRejected(Domain("<controller type='usb' index='0' model='qemu-xhci' ports='16'/>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: 'qemu-xhci' controller only supports up to '15' ports",
            "/domain/devices/controller/@ports");

    [Test]
    public void UsbControllerRule_XhciWith15Ports_IsAccepted() =>
        AssertAccepted(Domain("<controller type='usb' index='0' model='qemu-xhci' ports='15'/>"));

    [Test]
    public void IommuRule_VirtioIommuBehindABridge_IsRejected() =>
        AssertRejected(Domain("<iommu model='virtio'><address type='pci' bus='1' slot='0'/></iommu>", os: Q35, tail: Acpi),
            DomainXmlErrorKind.XmlError, "XML error: The device at PCI address 0000:01:00.0 needs to be an integrated device (bus=0)",
            "/domain/devices/iommu/address");

    [Test]
    public void ControllerParse_NegativeIndex_IsRejected() =>
        AssertRejected(Domain("<controller type='pci' index='-1' model='pci-bridge'/>"),
            DomainXmlErrorKind.XmlError,
            "XML error: Invalid value for attribute 'index' in element 'controller': '-1'. Expected non-negative value",
            "/domain/devices/controller/@index");

    private const string SpaprTpm = "<tpm model='tpm-spapr'><backend type='emulator' version='2.0'/></tpm>";

    private const string SpiceChannel = "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>";

    private const string SharedMemory = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>";

    private static string VirtioNic(string driver) =>
        $"<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/>{driver}</interface>";

    private static string Virtiofs(string extra) =>
        "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/path'/>" +
        $"<target dir='mount_tag'/>{extra}</filesystem>";
}
