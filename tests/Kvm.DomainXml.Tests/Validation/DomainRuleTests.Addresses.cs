using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Validation;

/// <summary>Mediated devices, CCW, zPCI and spapr-vio addresses.</summary>
public sealed partial class DomainRuleTests
{
    private const string S390 = "<type arch='s390x' machine='s390-ccw-virtio'>hvm</type>";

    [Test]
    public void MdevRule_VfioPciWithDriveAddress_IsRejected() =>
        AssertRejected(Domain(MdevWith(MdevUuid, "<address type='drive' controller='0' bus='0' target='0' unit='1'/>")),
            DomainXmlErrorKind.XmlError, "XML error: Unsupported address type 'drive' with mediated device model 'vfio-pci'",
            "/domain/devices/hostdev/address/@type");

    [Test]
    public void MdevRule_VfioPciWithPciAddress_IsAccepted() =>
        AssertAccepted(Domain(MdevWith(MdevUuid, "<address type='pci' bus='0' slot='5'/>")));

    [Test]
    public void MdevRule_DisplayWithoutGraphics_IsRejected() =>
        AssertRejected(Domain(Mdev(MdevUuid).Replace("model='vfio-pci'", "model='vfio-pci' display='on'", StringComparison.Ordinal)),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: graphics device is needed for attribute value 'display=on' in <hostdev>",
            "/domain/devices/hostdev/@display");

    [Test]
    public void MdevRule_DisplayWithVnc_IsAccepted() =>
        AssertAccepted(Domain("<graphics type='vnc'/>" +
                              Mdev(MdevUuid).Replace("model='vfio-pci'", "model='vfio-pci' display='on'", StringComparison.Ordinal)));

    [Test]
    public void CcwAddressRule_OneDevnoTwice_IsRejected() =>
        AssertRejected(Domain(CcwMdev("90c6c135-ad44-41d0-b1b7-bae47de48627", 1) + CcwMdev("71b411af-5491-4100-b03e-0705e0b2eb27", 1), os: S390),
            DomainXmlErrorKind.XmlError, "XML error: The CCW devno 'fe.0.0001' is in use already", "/domain/devices/hostdev[2]/address");

    [Test]
    public void CcwAddressRule_TwoDevnos_IsAccepted() =>
        AssertAccepted(Domain(CcwMdev("90c6c135-ad44-41d0-b1b7-bae47de48627", 1) + CcwMdev("71b411af-5491-4100-b03e-0705e0b2eb27", 2), os: S390));

    [Test]
    public void ZpciRule_OneUidTwice_IsRejected() =>
        AssertRejected(Domain(ZpciHostdev(0, "0x1234", "0x1") + ZpciHostdev(1, "0x1234", "0x2"), os: S390),
            DomainXmlErrorKind.InternalError, "internal error: zPCI uid 11064 is already reserved", "/domain/devices/hostdev[2]/address/zpci/@uid");

    [Test]
    public void ZpciRule_ZpciOnX86_IsRejected() =>
        AssertRejected(Domain(ZpciHostdev(0, "0x19", "0x1f")),
            DomainXmlErrorKind.ConfigUnsupported, "unsupported configuration: This QEMU binary doesn't support zPCI",
            "/domain/devices/hostdev/address/zpci");

    [Test]
    public void ZpciRule_TwoUids_IsAccepted() =>
        AssertAccepted(Domain(ZpciHostdev(0, "0x1234", "0x1") + ZpciHostdev(1, "0x1235", "0x2"), os: S390));

    [Test]
    public void SpaprVioAddressRule_RegAbove32Bits_IsRejected() =>
        AssertRejected(Domain("<serial type='pty'><address type='spapr-vio' reg='0x0000000100000000'/></serial>", os: PSeries),
            DomainXmlErrorKind.ConfigUnsupported,
            "unsupported configuration: spapr-vio reg='0x100000000' exceeds maximum possible value (0xffffffff)",
            "/domain/devices/serial/address/@reg");

    [Test]
    public void SpaprVioAddressRule_Reg32Bits_IsAccepted() =>
        AssertAccepted(Domain("<serial type='pty'><address type='spapr-vio' reg='0x30000000'/></serial>", os: PSeries));

    private static string MdevWith(string uuid, string address) =>
        $"<hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci'><source><address uuid='{uuid}'/></source>{address}</hostdev>";

    private static string CcwMdev(string uuid, int devno) =>
        $"<hostdev mode='subsystem' type='mdev' model='vfio-ccw'><source><address uuid='{uuid}'/></source>" +
        $"<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x{devno:x4}'/></hostdev>";

    private static string ZpciHostdev(int hostDomain, string uid, string fid) =>
        $"<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0x{hostDomain:x4}' bus='0x00' slot='0x00' " +
        $"function='0x0'/></source><address type='pci' domain='0x0000' bus='0x00' slot='0x0{hostDomain + 5}' function='0x0'>" +
        $"<zpci uid='{uid}' fid='{fid}'/></address></hostdev>";
}
