using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>PCI controllers and addresses, USB controllers and addresses.</summary>
public sealed partial class DomainRuleTests
{
    private const string PciRoot = "<controller type='pci' index='0' model='pci-root'/>";
    private const string PciBridge1 = "<controller type='pci' index='1' model='pci-bridge'/>";
    private const string UsbNone = "<controller type='usb' index='0' model='none'/>";

    [Test]
    public void PciControllerRule_PciRootOnQ35_IsRejected() =>
        AssertRejected(Domain(PciRoot, os: Q35),
            DomainXmlErrorKind.XmlError,
            "XML error: The PCI controller with index='0' must be model='pcie-root' for this machine type, " +
            "but model='pci-root' was found instead",
            "/domain/devices/controller/@model");

    [Test]
    public void PciControllerRule_PcieRootOnQ35_IsAccepted() =>
        AssertAccepted(Domain("<controller type='pci' index='0' model='pcie-root'/>", os: Q35));

    [Test]
    public void PciControllerRule_PciRootWithNonZeroIndex_IsRejected() =>
        AssertRejected(Domain("<controller type='pci' index='7' model='pci-root'/>"),
            DomainXmlErrorKind.XmlError,
            "XML error: pci-root and pcie-root controllers should have index 0",
            "/domain/devices/controller/@index");

    [Test]
    public void PciControllerRule_SecondPhbOnPSeries_IsAccepted() =>
        AssertAccepted(Domain(PciRoot + "<controller type='pci' index='1' model='pci-root'><target index='1'/></controller>", os: PSeries));

    [Test]
    public void PciControllerRule_PciRootWithAddress_IsRejected() =>
        AssertRejected(
            Domain("<controller type='pci' index='0' model='pci-root'>" +
                   "<address type='pci' domain='0' bus='0' slot='0' function='0'/></controller>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: pci-root and pcie-root controllers should not have an address",
            "/domain/devices/controller/address");

    [Test]
    public void PciControllerRule_DefaultPhbWithTargetIndex1_IsRejected() =>
        AssertRejected(Domain("<controller type='pci' index='0' model='pci-root'><target index='1'/></controller>", os: PSeries),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Only the PCI controller with index 0 can have target index 0, and vice versa",
            "/domain/devices/controller/target/@index");

    [Test]
    public void PciSlotRule_ExpanderBusBehindBridge_IsRejected() =>
        AssertRejected(
            Domain(PciRoot + PciBridge1 +
                   "<controller type='pci' index='2' model='pci-expander-bus'><address type='pci' bus='1' slot='1'/></controller>"),
            DomainXmlErrorKind.XmlError,
            "XML error: The device at PCI address 0000:01:01.0 cannot be plugged into the PCI controller with index='1'. " +
            "It requires a controller that accepts a pci-expander-bus.",
            "/domain/devices/controller[3]/address");

    [Test]
    public void PciSlotRule_ExpanderBusOnRootBus_IsAccepted() =>
        AssertAccepted(
            Domain(PciRoot + PciBridge1 +
                   "<controller type='pci' index='2' model='pci-expander-bus'><address type='pci' bus='0' slot='5'/></controller>"));

    [Test]
    public void PciAddressRule_Slot0x20_IsRejected() =>
        AssertRejected(Domain(UserInterface("0x20")),
            DomainXmlErrorKind.XmlError,
            "XML error: Invalid PCI address slot='0x20', must be <= 0x1F",
            "/domain/devices/interface/address/@slot");

    [Test]
    public void PciAddressRule_Slot0x1f_IsAccepted() => AssertAccepted(Domain(UserInterface("0x1f")));

    [Test]
    public void PciAddressRule_ZpciUidZero_IsRejected() =>
        AssertRejected(ZpciHostdev("0x0000"),
            DomainXmlErrorKind.XmlError,
            "XML error: Invalid PCI address uid='0x0000', must be > 0x0000 and <= 0xffff",
            "/domain/devices/hostdev/address/zpci/@uid");

    [Test]
    public void PciAddressRule_ZpciUidOne_IsAccepted() => AssertAccepted(ZpciHostdev("0x0001"));

    [Test]
    public void UsbControllerRule_NoneBesideAnother_IsRejected() =>
        AssertRejected(Domain(UsbNone + "<controller type='usb' index='0'/>"),
            DomainXmlErrorKind.Detail,
            "Can't add another USB controller: USB is disabled for this domain",
            "/domain/devices/controller[2]");

    [Test]
    public void UsbControllerRule_HubWithoutUsb_IsRejected() =>
        AssertRejected(Domain(UsbNone + "<hub type='usb'/>"),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Can't add USB hub: USB is disabled for this domain",
            "/domain/devices/hub");

    [Test]
    public void UsbControllerRule_CompanionWithoutMaster_IsRejected() =>
        AssertRejected(Domain("<controller type='usb' index='0' model='ich9-uhci2'><master startport='2'/></controller>"),
            DomainXmlErrorKind.Detail,
            "No master USB controller specified",
            "/domain/devices/controller");

    [Test]
    public void UsbControllerRule_NoneAlone_IsAccepted() => AssertAccepted(Domain(UsbNone));

    [Test]
    public void UsbAddressRule_FivePortLevels_IsRejected() =>
        AssertRejected(Domain("<controller type='usb' index='0'/>" + UsbHub("1.1.1.1.1")),
            DomainXmlErrorKind.InternalError,
            "internal error: Cannot parse <address> 'port' attribute",
            "/domain/devices/hub/address/@port");

    [Test]
    public void UsbAddressRule_NinthPortOfHub_IsRejected() =>
        AssertRejected(Domain("<controller type='usb' index='0'/>" + UsbHub("1") + UsbHub("1.9")),
            DomainXmlErrorKind.XmlError,
            "XML error: requested USB port 1.9 not present on USB bus 0",
            "/domain/devices/hub[2]/address/@port");

    [Test]
    public void UsbAddressRule_EighthPortOfHub_IsAccepted() =>
        AssertAccepted(Domain("<controller type='usb' index='0'/>" + UsbHub("1") + UsbHub("1.8")));

    [Test]
    public void UsbAddressRule_PortBehindNoHub_IsRejected() =>
        AssertRejected(
            Domain("<controller type='usb' index='0'/><input type='tablet' bus='usb'><address type='usb' bus='0' port='2.1'/></input>"),
            DomainXmlErrorKind.XmlError,
            "XML error: there is no hub at port 2 in USB address bus: 0 port: 2.1",
            "/domain/devices/input/address/@port");

    private static string UserInterface(string slot) =>
        $"<interface type='user'><address type='pci' domain='0x0000' bus='0x00' slot='{slot}' function='0x0'/></interface>";

    private static string UsbHub(string port) => $"<hub type='usb'><address type='usb' bus='0' port='{port}'/></hub>";

    private static string ZpciHostdev(string uid) =>
        Domain("<hostdev mode='subsystem' type='pci' managed='no'>" +
               "<source><address domain='0x0000' bus='0x00' slot='0x00' function='0x0'/></source>" +
               "<address type='pci' domain='0x0000' bus='0x00' slot='0x08' function='0x0'>" +
               $"<zpci uid='{uid}' fid='0x0000001f'/></address></hostdev>",
            os: "<type arch='s390x' machine='s390-ccw-virtio'>hvm</type>");

    [Test]
    public void PciSlotRule_DeviceOnThePiix3IdeFunction_IsRejected() =>
        AssertRejected(Domain("<controller type='ide' index='0'/><memballoon model='virtio'><address type='pci' slot='1' function='1'/></memballoon>"),
            DomainXmlErrorKind.XmlError, "XML error: Attempted double use of PCI Address 0000:00:01.1", "/domain/devices/memballoon/address");

    [Test]
    public void PciSlotRule_DeviceOnTheNextSlot_IsAccepted() =>
        AssertAccepted(Domain("<controller type='ide' index='0'/><memballoon model='virtio'><address type='pci' slot='2'/></memballoon>"));

    [Test]
    public void PciSlotRule_TwoDevicesOnOneFunction_IsRejected() =>
        AssertRejected(Domain("<memballoon model='virtio'><address type='pci' slot='5'/></memballoon>" +
                              "<watchdog model='i6300esb'><address type='pci' slot='5'/></watchdog>"),
            DomainXmlErrorKind.XmlError, "XML error: Attempted double use of PCI Address 0000:00:05.0", "/domain/devices/watchdog/address");

    [Test]
    public void PciSlotRule_DmiBridgeBehindRootPort_IsRejected() =>
        AssertRejected(
            Domain("<controller type='pci' index='0' model='pcie-root'/><controller type='pci' index='1' model='pcie-root-port'/>" +
                   "<controller type='pci' index='2' model='dmi-to-pci-bridge'><address type='pci' bus='1'/></controller>", os: Q35),
            DomainXmlErrorKind.XmlError,
            "XML error: The device at PCI address 0000:01:00.0 cannot be plugged into the PCI controller with index='1'. " +
            "It requires a controller that accepts a dmi-to-pci-bridge.",
            "/domain/devices/controller[3]/address");

    [Test]
    public void PciSlotRule_DmiBridgeOnPcieRoot_IsAccepted() =>
        AssertAccepted(
            Domain("<controller type='pci' index='0' model='pcie-root'/>" +
                   "<controller type='pci' index='1' model='dmi-to-pci-bridge'><address type='pci' bus='0' slot='0x1e'/></controller>", os: Q35));

    [Test]
    public void PciSlotRule_SecondSlotOfARootPort_IsRejected() =>
        AssertRejected(
            Domain("<controller type='pci' index='0' model='pcie-root'/><controller type='pci' index='1' model='pcie-root-port'/>" +
                   "<memballoon model='virtio'><address type='pci' bus='1' slot='1'/></memballoon>", os: Q35),
            DomainXmlErrorKind.XmlError, "XML error: Invalid PCI address 0000:01:01.0. slot must be <= 0",
            "/domain/devices/memballoon/address/@slot");

    [Test]
    public void PciSlotRule_MoreRootPortsThanTheRootBusHolds_IsRejected() =>
        AssertRejected(Domain("<controller type='pci' index='0' model='pcie-root'/>" + RootPorts(241), os: Q35),
            DomainXmlErrorKind.InternalError,
            "internal error: a PCI slot is needed to connect a PCI controller model='pcie-root-port', but none is available, " +
            "and it cannot be automatically added",
            "/domain/devices/controller[242]");

    [Test]
    public void PciSlotRule_AsManyRootPortsAsTheRootBusHolds_IsAccepted() =>
        AssertAccepted(Domain("<controller type='pci' index='0' model='pcie-root'/>" + RootPorts(240), os: Q35));

    [Test]
    public void PciControllerOptionsRule_ChassisNrOnRootPort_IsRejected() =>
        AssertRejected(
            Domain("<controller type='pci' index='0' model='pcie-root'/>" +
                   "<controller type='pci' index='1' model='pcie-root-port'><target chassisNr='3'/></controller>", os: Q35),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: Option 'chassisNr' is not valid for PCI controller with index '1', model 'pcie-root-port' " +
            "and modelName 'pcie-root-port'",
            "/domain/devices/controller[2]/target");

    [Test]
    public void PciControllerOptionsRule_ChassisNrOnPciBridge_IsAccepted() =>
        AssertAccepted(Domain(PciRoot + "<controller type='pci' index='1' model='pci-bridge'><target chassisNr='3'/></controller>"));

    [Test]
    public void ControllerModelRule_IdeControllerOnQ35_IsRejected() =>
        AssertRejected(Domain("<controller type='ide' index='0'/>", os: Q35),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: IDE controllers are unsupported for this QEMU binary or machine type", "/domain/devices/controller");

    [Test]
    public void ControllerModelRule_IdeControllerOnPc_IsAccepted() => AssertAccepted(Domain("<controller type='ide' index='0'/>"));

    [Test]
    public void ControllerModelRule_QueuesOnLsiLogic_IsRejected() =>
        AssertRejected(Domain("<controller type='scsi' index='0' model='lsilogic'><driver queues='4'/></controller>"),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: 'queues' is only supported by virtio-scsi controller",
            "/domain/devices/controller/driver/@queues");

    [Test]
    public void ControllerModelRule_QueuesOnVirtioScsi_IsAccepted() =>
        AssertAccepted(Domain("<controller type='scsi' index='0' model='virtio-scsi'><driver queues='4'/></controller>"));

    private static string RootPorts(int count) =>
        string.Concat(Enumerable.Repeat("<controller type='pci' model='pcie-root-port'/>", count));
}
