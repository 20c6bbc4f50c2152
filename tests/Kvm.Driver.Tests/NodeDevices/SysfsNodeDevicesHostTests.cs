using Kvm.Driver.NodeDevices;

namespace Kvm.Driver.Tests.NodeDevices;

/// <summary>
/// This machine's real sysfs: every PCI device and network interface the kernel shows is a node device with
/// libvirt's name, ids and address, and every parent is itself a listed device. (On the development machine the
/// names and XML were also compared with what libvirtd 9.0 reports: the same, less network features.)
/// </summary>
[TestFixture]
public sealed class SysfsNodeDevicesHostTests
{
    private IReadOnlyList<NodeDevice> _devices = null!;

    [OneTimeSetUp]
    public void Scan() => _devices = new SysfsNodeDevices().Scan();

    [Test]
    public void Scan_PciDevices_OneEachWithSysfsIds()
    {
        string[] pci = Directory.Exists("/sys/bus/pci/devices") ? Directory.GetFileSystemEntries("/sys/bus/pci/devices") : [];
        if (pci.Length == 0)
        {
            Assert.Ignore("This machine's sysfs shows no PCI devices");
        }
        foreach (string entry in pci)
        {
            string name = "pci_" + Path.GetFileName(entry).Replace(':', '_').Replace('.', '_');
            NodeDevice device = _devices.Single(d => d.Name == name);
            string xml = NodeDeviceXml.Format(device);
            Assert.That(xml, Does.Contain($"<vendor id='{File.ReadAllText(Path.Combine(entry, "vendor")).Trim()}'"), name);
            Assert.That(xml, Does.Contain($"<product id='{File.ReadAllText(Path.Combine(entry, "device")).Trim()}'"), name);
            Assert.That(device.SysfsPath, Is.EqualTo(new DirectoryInfo(entry).ResolveLinkTarget(true)!.FullName), name);
        }
    }

    [Test]
    public void Scan_NetworkInterfaces_OneEachNamedByInterfaceAndMac()
    {
        foreach (string entry in Directory.GetFileSystemEntries("/sys/class/net"))
        {
            string ifname = Path.GetFileName(entry);
            string mac = File.ReadAllText(Path.Combine(entry, "address")).Trim();
            string name = $"net_{ifname}_{mac}".Replace(':', '_').Replace('-', '_').Replace('.', '_');
            Assert.That(_devices.Select(d => d.Name), Does.Contain(name));
            NodeDevice device = _devices.Single(d => d.Name == name);
            Assert.That(NodeDeviceXml.Format(device), Does.Contain($"    <interface>{ifname}</interface>\n    <address>{mac}</address>\n"));
        }
    }

    [Test]
    public void Scan_Parents_AreListedDevices()
    {
        Assert.That(_devices.Where(d => d.Parent is null).Select(d => d.Name), Is.EqualTo(new[] { "computer" }));
        Assert.That(_devices.Where(d => d.Parent is not null).Select(d => d.Parent).Except(_devices.Select(d => d.Name)), Is.Empty);
    }
}
