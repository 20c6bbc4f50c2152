using Kvm.Driver.Domains;
using Kvm.Driver.NetInterfaces;
using Kvm.Driver.Tests.NodeDevices;

namespace Kvm.Driver.Tests.NetInterfaces;

/// <summary>Host interfaces as libvirt 9.0's udev backend lists and describes them (the XML is what libvirtd printed for the same sysfs content).</summary>
[TestFixture]
public sealed class UdevInterfacesTests
{
    private FakeSysfs _sys = null!;
    private UdevInterfaces _interfaces = null!;

    [SetUp]
    public void SetUp()
    {
        _sys = new FakeSysfs();
        _sys.Link("class/net/eth0", _sys.Device("pci0000:00/0000:00:03.0/virtio2/net/eth0", ("address", "02:fc:00:00:00:01"), ("operstate", "up"),
            ("speed", "-1"), ("mtu", "1400")));
        _sys.Link("class/net/ifb0", _sys.Device("virtual/net/ifb0", ("address", "92:b4:e6:2a:5b:eb"), ("operstate", "down"), ("mtu", "1500")));
        _sys.Link("class/net/lo", _sys.Device("virtual/net/lo", ("address", "00:00:00:00:00:00"), ("operstate", "unknown"), ("mtu", "65536")));
        _interfaces = new UdevInterfaces(_sys.Sys);
    }

    [TearDown]
    public void TearDown() => _sys.Dispose();

    [Test]
    public void List_ActiveInactive_ByOperstate()
    {
        Assert.That(_interfaces.List(0).Select(i => i.Name), Is.EqualTo(new[] { "eth0", "ifb0", "lo" }));
        Assert.That(_interfaces.List(UdevInterfaces.ListActive).Select(i => i.Name), Is.EqualTo(new[] { "eth0" }));
        Assert.That(_interfaces.List(UdevInterfaces.ListInactive).Select(i => i.Name), Is.EqualTo(new[] { "ifb0", "lo" }));
    }

    [TestCase("eth0", "<interface type='ethernet' name='eth0'>\n  <mtu size='1400'/>\n  <link speed='4294967295' state='up'/>\n  <mac address='02:fc:00:00:00:01'/>\n</interface>\n")]
    [TestCase("lo", "<interface type='ethernet' name='lo'>\n  <mtu size='65536'/>\n  <link state='unknown'/>\n  <mac address='00:00:00:00:00:00'/>\n</interface>\n")]
    [TestCase("ifb0", "<interface type='ethernet' name='ifb0'>\n  <mtu size='1500'/>\n  <link state='down'/>\n  <mac address='92:b4:e6:2a:5b:eb'/>\n</interface>\n")]
    public void GetXmlDesc_Interface_AsLibvirt(string name, string xml) => Assert.That(_interfaces.GetXmlDesc(name, 0), Is.EqualTo(xml));

    [Test]
    public void Lookups_MissingOrAmbiguous_LibvirtsErrors()
    {
        Assert.That(_interfaces.LookupByMac("02:FC:00:00:00:01").Name, Is.EqualTo("eth0"));
        Assert.That(() => _interfaces.LookupByName("nosuch"), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "Interface not found: couldn't find interface named 'nosuch'"));
        Assert.That(() => _interfaces.LookupByMac("aa:bb:cc:dd:ee:ff"), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "Interface not found: couldn't find interface with MAC address 'aa:bb:cc:dd:ee:ff'"));
        _sys.Link("class/net/lo2", _sys.Device("virtual/net/lo2", ("address", "00:00:00:00:00:00"), ("operstate", "unknown")));
        Assert.That(() => _interfaces.LookupByMac("00:00:00:00:00:00"), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "multiple matching interfaces found: the MAC '00:00:00:00:00:00' matches multiple interfaces"));
    }
}
