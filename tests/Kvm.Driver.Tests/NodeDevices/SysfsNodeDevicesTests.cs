using Kvm.Driver.Domains;
using Kvm.Driver.NodeDevices;

namespace Kvm.Driver.Tests.NodeDevices;

/// <summary>
/// Node devices from a copy of sysfs's layout: names, parents and XML as libvirt 9.0's udev backend gives them. The
/// expected XML of the PCI, network and disk devices is what libvirtd printed (virsh nodedev-dumpxml) for the same
/// sysfs content on the development machine, less the &lt;feature&gt; lines of network devices, which kvmd does not
/// read (they come from ethtool ioctls).
/// </summary>
[TestFixture]
public sealed class SysfsNodeDevicesTests
{
    private FakeSysfs _sys = null!;

    [SetUp]
    public void SetUp()
    {
        _sys = new FakeSysfs();
        // 00:00.0: a host bridge with 4096 bytes of configuration space and no capability list: "PCI Express" without a link
        string bridge = _sys.Device("pci0000:00/0000:00:00.0", ("class", "0x060000"), ("vendor", "0x8086"), ("device", "0x0d57"), ("numa_node", "-1"));
        _sys.Bytes(bridge, "config", new byte[4096]);
        // 00:02.0: virtio-blk with vda below it
        string blk = _sys.Device("pci0000:00/0000:00:02.0", ("class", "0x018000"), ("vendor", "0x1af4"), ("device", "0x1042"), ("numa_node", "-1"));
        _sys.Bytes(blk, "config", new byte[256]);
        string driver = Path.Combine(_sys.Sys, "bus", "pci", "drivers", "virtio-pci");
        Directory.CreateDirectory(driver);
        _sys.Link("devices/pci0000:00/0000:00:02.0/driver", driver);
        string vda = _sys.Device("pci0000:00/0000:00:02.0/virtio1/block/vda", ("uevent", "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\nDISKSEQ=9"),
            ("dev", "254:0"), ("size", "536870912"), ("queue/logical_block_size", "512"), ("device/vendor", "0x1af4"));
        _sys.Device("pci0000:00/0000:00:02.0/virtio1/block/vda/vda1", ("uevent", "DEVNAME=vda1\nDEVTYPE=partition"), ("dev", "254:1"), ("partition", "1"));
        // 00:03.0: virtio-net with eth0 below it
        string net = _sys.Device("pci0000:00/0000:00:03.0", ("class", "0x020000"), ("vendor", "0x1af4"), ("device", "0x1041"), ("numa_node", "-1"));
        _sys.Bytes(net, "config", new byte[256]);
        _sys.Link("devices/pci0000:00/0000:00:03.0/driver", driver);
        string eth0 = _sys.Device("pci0000:00/0000:00:03.0/virtio2/net/eth0", ("uevent", "INTERFACE=eth0\nIFINDEX=4"), ("address", "02:fc:00:00:00:01"),
            ("operstate", "up"), ("speed", "-1"), ("mtu", "1400"));
        string lo = _sys.Device("virtual/net/lo", ("uevent", "INTERFACE=lo\nIFINDEX=1"), ("address", "00:00:00:00:00:00"), ("operstate", "unknown"));
        string loop0 = _sys.Device("virtual/block/loop0", ("uevent", "MAJOR=7\nMINOR=0\nDEVNAME=loop0\nDEVTYPE=disk"), ("dev", "7:0"), ("size", "0"),
            ("queue/logical_block_size", "512"));
        foreach (string dir in new[] { bridge, blk, net })
        {
            _sys.Link("bus/pci/devices/" + Path.GetFileName(dir), dir);
        }
        _sys.Link("class/block/vda", vda);
        _sys.Link("class/block/vda1", Path.Combine(vda, "vda1"));
        _sys.Link("class/block/loop0", loop0);
        _sys.Link("class/net/eth0", eth0);
        _sys.Link("class/net/lo", lo);
    }

    [TearDown]
    public void TearDown() => _sys.Dispose();

    private SysfsNodeDevices Source() => new(_sys.Sys, _sys.Udev, []);

    private string DevicePath(string relative) => Path.Combine(_sys.Sys, "devices", relative);

    [Test]
    public void Scan_Devices_LibvirtsNamesAndParents()
    {
        IReadOnlyList<NodeDevice> devices = Source().Scan();
        Assert.That(devices.Select(d => (d.Name, d.Parent)), Is.EqualTo(new (string, string?)[]
        {
            ("block_vda", "pci_0000_00_02_0"), ("computer", null), ("net_eth0_02_fc_00_00_00_01", "pci_0000_00_03_0"),
            ("net_lo_00_00_00_00_00_00", "computer"), ("pci_0000_00_00_0", "computer"), ("pci_0000_00_02_0", "computer"), ("pci_0000_00_03_0", "computer"),
        }));
    }

    [Test]
    public void Format_Disk_AsLibvirt() =>
        Assert.That(Xml("block_vda"), Is.EqualTo($"""
            <device>
              <name>block_vda</name>
              <path>{DevicePath("pci0000:00/0000:00:02.0/virtio1/block/vda")}</path>
              <devnode type='dev'>/dev/vda</devnode>
              <parent>pci_0000_00_02_0</parent>
              <capability type='storage'>
                <block>/dev/vda</block>
                <drive_type>disk</drive_type>
                <vendor>0x1af4</vendor>
                <size>274877906944</size>
                <logical_block_size>512</logical_block_size>
                <num_blocks>536870912</num_blocks>
              </capability>
            </device>

            """));

    [Test]
    public void Format_PciWithDriver_AsLibvirt() =>
        Assert.That(Xml("pci_0000_00_02_0"), Is.EqualTo($"""
            <device>
              <name>pci_0000_00_02_0</name>
              <path>{DevicePath("pci0000:00/0000:00:02.0")}</path>
              <parent>computer</parent>
              <driver>
                <name>virtio-pci</name>
              </driver>
              <capability type='pci'>
                <class>0x018000</class>
                <domain>0</domain>
                <bus>0</bus>
                <slot>2</slot>
                <function>0</function>
                <product id='0x1042'/>
                <vendor id='0x1af4'/>
              </capability>
            </device>

            """));

    [Test]
    public void Format_PciExtendedConfigNoCapabilities_EmptyPciExpress() =>
        Assert.That(Xml("pci_0000_00_00_0"), Does.EndWith("""
                <product id='0x0d57'/>
                <vendor id='0x8086'/>
                <pci-express/>
              </capability>
            </device>

            """));

    [Test]
    public void Format_Net_AsLibvirtWithoutFeatures() =>
        Assert.That(Xml("net_eth0_02_fc_00_00_00_01"), Is.EqualTo($"""
            <device>
              <name>net_eth0_02_fc_00_00_00_01</name>
              <path>{DevicePath("pci0000:00/0000:00:03.0/virtio2/net/eth0")}</path>
              <parent>pci_0000_00_03_0</parent>
              <capability type='net'>
                <interface>eth0</interface>
                <address>02:fc:00:00:00:01</address>
                <link speed='4294967295' state='up'/>
                <capability type='80203'/>
              </capability>
            </device>

            """));

    [Test]
    public void Format_LoopbackUnknownState_StateOnly() =>
        Assert.That(Xml("net_lo_00_00_00_00_00_00"), Does.Contain("    <link state='unknown'/>\n"));

    [Test]
    public void Format_ComputerWithoutDmi_ZeroUuidEmptyFirmware() =>
        Assert.That(Xml("computer"), Is.EqualTo("""
            <device>
              <name>computer</name>
              <capability type='system'>
                <hardware>
                  <uuid>00000000-0000-0000-0000-000000000000</uuid>
                </hardware>
                <firmware>
                </firmware>
              </capability>
            </device>

            """));

    [Test]
    public void Scan_UdevRecord_SerialInNameLinksAndBus()
    {
        _sys.UdevRecord("b254:0", "S:disk/by-id/virtio-abc", "S:disk/by-path/pci-0000:00:02.0", "E:ID_SERIAL=abc-1", "E:ID_BUS=virtio", "E:ID_TYPE=disk");
        NodeDevice vda = Source().Scan().Single(d => d.Name.StartsWith("block_vda", StringComparison.Ordinal));
        string xml = NodeDeviceXml.Format(vda);
        Assert.That(vda.Name, Is.EqualTo("block_vda_abc_1"));
        Assert.That(xml, Does.Contain("  <devnode type='dev'>/dev/vda</devnode>\n  <devnode type='link'>/dev/disk/by-id/virtio-abc</devnode>\n"));
        Assert.That(xml, Does.Contain("    <block>/dev/vda</block>\n    <bus>virtio</bus>\n    <drive_type>disk</drive_type>\n    <vendor>0x1af4</vendor>\n    <serial>abc-1</serial>\n"));
    }

    [Test]
    public void Scan_PciExpressLinkAndIommuGroup_AsLibvirtFormatsThem()
    {
        string dev = _sys.Device("pci0000:00/0000:00:1c.0/0000:01:00.0", ("class", "0x020000"), ("vendor", "0x8086"), ("device", "0x10d3"), ("numa_node", "0"));
        _sys.Device("pci0000:00/0000:00:1c.0", ("class", "0x060400"), ("vendor", "0x8086"), ("device", "0x2948"));
        byte[] config = new byte[4096];
        config[0x06] = 0x10;               // capability list present
        config[0x34] = 0x40;               // first capability
        config[0x40] = 0x01; config[0x41] = 0x60;   // power management, then
        config[0x60] = 0x10; config[0x61] = 0x00;   // PCI Express, last
        config[0x62] = 0x02;               // version 2, type 0 (endpoint)
        BitConverter.GetBytes(0x0000_0411u | (3u << 24)).CopyTo(config, 0x60 + 0x0c); // link cap: 2.5 GT/s... x1, port 3
        BitConverter.GetBytes((ushort)0x0011).CopyTo(config, 0x60 + 0x12);           // link status: 2.5 GT/s, x1
        _sys.Bytes(dev, "config", config);
        string group = Path.Combine(_sys.Sys, "kernel", "iommu_groups", "7");
        Directory.CreateDirectory(Path.Combine(group, "devices"));
        _sys.Link("kernel/iommu_groups/7/devices/0000:01:00.0", dev);
        _sys.Link("devices/pci0000:00/0000:00:1c.0/0000:01:00.0/iommu_group", group);
        _sys.Link("bus/pci/devices/0000:01:00.0", dev);
        _sys.Link("bus/pci/devices/0000:00:1c.0", DevicePath("pci0000:00/0000:00:1c.0"));
        File.WriteAllLines(Path.Combine(_sys.Root, "pci.ids"), ["8086  Intel Corporation", "\t10d3  82574L Gigabit Network Connection", "\t\t8086 0001  sub"]);

        NodeDevice nic = new SysfsNodeDevices(_sys.Sys, _sys.Udev, [Path.Combine(_sys.Root, "pci.ids")]).Scan().Single(d => d.Name == "pci_0000_01_00_0");
        Assert.That(nic.Parent, Is.EqualTo("pci_0000_00_1c_0"));
        Assert.That(NodeDeviceXml.Format(nic), Does.EndWith("""
                <bus>1</bus>
                <slot>0</slot>
                <function>0</function>
                <product id='0x10d3'>82574L Gigabit Network Connection</product>
                <vendor id='0x8086'>Intel Corporation</vendor>
                <iommuGroup number='7'>
                  <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
                </iommuGroup>
                <numa node='0'/>
                <pci-express>
                  <link validity='cap' port='3' speed='2.5' width='1'/>
                  <link validity='sta' speed='2.5' width='1'/>
                </pci-express>
              </capability>
            </device>

            """));
    }

    [Test]
    public void Scan_UsbDeviceAndInterface_LibvirtsNamesAndCapabilities()
    {
        string hub = _sys.Device("pci0000:00/0000:00:02.0/usb1", ("uevent", "DEVTYPE=usb_device\nDEVNAME=bus/usb/001/001"), ("busnum", "1"), ("devnum", "1"),
            ("idVendor", "1d6b"), ("idProduct", "0002"), ("product", "EHCI Host Controller"), ("manufacturer", "Linux 6.1.0 ehci_hcd"), ("dev", "189:0"));
        string intf = _sys.Device("pci0000:00/0000:00:02.0/usb1/1-0:1.0", ("uevent", "DEVTYPE=usb_interface"), ("bInterfaceNumber", "00"),
            ("bInterfaceClass", "09"), ("bInterfaceSubClass", "00"), ("bInterfaceProtocol", "00"));
        _sys.Link("bus/usb/devices/usb1", hub);
        _sys.Link("bus/usb/devices/1-0:1.0", intf);
        IReadOnlyList<NodeDevice> devices = Source().Scan();
        NodeDevice usb = devices.Single(d => d.Name == "usb_usb1");
        NodeDevice usbInterface = devices.Single(d => d.Name == "usb_1_0_1_0");
        Assert.That((usb.Parent, usbInterface.Parent, usb.DevNodes.Single()), Is.EqualTo(("pci_0000_00_02_0", "usb_usb1", "/dev/bus/usb/001/001")));
        Assert.That(NodeDeviceXml.Format(usb), Does.Contain("""
              <capability type='usb_device'>
                <bus>1</bus>
                <device>1</device>
                <product id='0x0002'>EHCI Host Controller</product>
                <vendor id='0x1d6b'>Linux 6.1.0 ehci_hcd</vendor>
              </capability>
            """));
        Assert.That(NodeDeviceXml.Format(usbInterface), Does.Contain("""
              <capability type='usb'>
                <number>0</number>
                <class>9</class>
                <subclass>0</subclass>
                <protocol>0</protocol>
              </capability>
            """));
    }

    [Test]
    public void Service_ListFilters_AndErrors()
    {
        var service = new NodeDeviceService(Source());
        Assert.That(service.List((uint)NodeDeviceCapabilities.Net).Select(d => d.Name), Is.EqualTo(new[] { "net_eth0_02_fc_00_00_00_01", "net_lo_00_00_00_00_00_00" }));
        Assert.That(service.List((uint)(NodeDeviceCapabilities.System | NodeDeviceCapabilities.Storage)).Select(d => d.Name), Is.EqualTo(new[] { "block_vda", "computer" }));
        Assert.That(service.List((uint)NodeDeviceCapabilities.Inactive), Is.Empty);
        Assert.That(service.List((uint)NodeDeviceCapabilities.Active).Count, Is.EqualTo(7));
        Assert.That(service.ListCaps("pci_0000_00_02_0"), Is.EqualTo(new[] { "pci" }));
        Assert.That(() => service.LookupByName("nosuch"), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "Node device not found: no node device with matching name 'nosuch'"));
        Assert.That(() => service.Parent("computer"), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("internal error: no parent for this device"));
        Assert.That(() => service.Destroy("pci_0000_00_02_0"), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "unsupported configuration: Unsupported device type"));
        Assert.That(() => service.List(1u << 25), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "unsupported flags (0x2000000) in function nodeConnectListAllNodeDevices"));
    }

    private string Xml(string name) => NodeDeviceXml.Format(Source().Scan().Single(d => d.Name == name));
}
