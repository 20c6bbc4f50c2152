using Kvm.DomainXml;
using Kvm.Vmm.Launch;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;interface&gt;</c> onto kvm-vmm's virtio-net NICs: what each kind of interface asks of its tap and device
/// (nothing is opened here), and the interfaces kvm-vmm refuses by name before it opens anything.
/// </summary>
public sealed partial class NetMappingTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("kvm-netmap-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Plan_EthernetWithTargetMtuAndLinkDown_NamesTheTapAndConfiguresTheDevice()
    {
        var (tap, device, slot) = Single("""
            <interface type='ethernet'><mac address='52:54:00:aa:bb:cc'/><target dev='tap-guest'/><model type='virtio'/>
              <mtu size='9000'/><link state='down'/><address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></interface>
            """);

        Assert.That((tap.Name, tap.Managed, tap.Bridge, tap.Mtu), Is.EqualTo(("tap-guest", true, (string?)null, (int?)9000)));
        Assert.That(tap.GuestMac, Is.EqualTo(new byte[] { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }));
        Assert.That((device.Name, device.Mtu, device.LinkUp), Is.EqualTo(("net0", (ushort?)9000, false)));
        Assert.That(device.Mac, Is.EqualTo(new byte[] { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }));
        Assert.That(slot, Is.EqualTo(7));
    }

    [Test]
    public void Plan_EthernetWithoutTargetOrMac_TakesTheFirstFreeVnetAndLibvirtsGeneratedMac()
    {
        var (tap, device, _) = Single("<interface type='ethernet'><model type='virtio'/></interface>");

        Assert.That((tap.Name, tap.Managed), Is.EqualTo(((string?)null, true)));
        Assert.That(device.Mac[..3], Is.EqualTo(new byte[] { 0x52, 0x54, 0x00 }));
        Assert.That(device.LinkUp, Is.True);
        Assert.That(device.Mtu, Is.Null);
    }

    [Test]
    public void Plan_UnmanagedTarget_OpensTheExistingTapAsItIs()
    {
        var (tap, _, _) = Single("<interface type='ethernet'><target dev='mytap' managed='no'/><model type='virtio'/></interface>");

        Assert.That((tap.Name, tap.Managed), Is.EqualTo(("mytap", false)));
    }

    [Test]
    public void Plan_Bridge_CreatesATapOnTheBridge()
    {
        var (tap, _, _) = Single("<interface type='bridge'><source bridge='br-test'/><model type='virtio'/><driver name='qemu'/></interface>");

        Assert.That((tap.Name, tap.Managed, tap.Bridge), Is.EqualTo(((string?)null, true, "br-test")));
    }

    /// <summary>A network interface as kvmd's live definition has it: the running network's bridge on its source.</summary>
    [Test]
    public void Plan_NetworkWithItsBridge_CreatesATapOnThatBridge()
    {
        var (tap, device, _) = Single("<interface type='network'><source network='default' bridge='virbr0'/><model type='virtio'/></interface>");

        Assert.That((tap.Name, tap.Managed, tap.Bridge, device.Name), Is.EqualTo(((string?)null, true, "virbr0", "net0")));
    }

    [Test]
    public void Plan_TwoInterfaces_AreNamedAsLibvirtsAliases()
    {
        var plans = NetMapping.Plan(Parse("""
            <interface type='ethernet'><model type='virtio'/></interface>
            <interface type='bridge'><source bridge='br0'/><model type='virtio'/></interface>
            """).Definition.Devices.Interfaces, _ => { });

        Assert.That(plans.Select(p => p.Device.Name), Is.EqualTo(new[] { "net0", "net1" }));
    }

    [TestCase("<interface type='network'><source network='default'/><model type='virtio'/></interface>", "interface type 'network'")]
    [TestCase("<interface type='ethernet'><model type='e1000'/></interface>", "with model 'e1000' (only <model type='virtio'/> is)")]
    [TestCase("<interface type='ethernet'/>", "with model '(default)'")]
    [TestCase("<interface type='ethernet'><script path='/etc/qemu-ifup'/><model type='virtio'/></interface>", "<script path='/etc/qemu-ifup'/> (kvm-vmm runs no scripts")]
    [TestCase("<interface type='ethernet'><model type='virtio'/><driver queues='256'/></interface>", "with 256 queues (at most 255 queue pairs are)")]
    [TestCase("<interface type='user'><backend type='passt'/><model type='virtio'/><driver queues='2'/></interface>", "interface type 'user' with 2 queues (passt carries one queue pair")]
    public void Map_InterfacesKvmVmmCannotRun_AreRefusedByName(string nic, string named)
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, Domain(nic));

        Assert.That(() => LaunchFromXml.Plan(xml, ignoreUnsupported: false, _ => { }),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("not supported by kvm-vmm yet").And.Message.Contains(named));
    }

    [TestCase("<interface type='ethernet'><model type='virtio'/></interface>", 1)]
    [TestCase("<interface type='ethernet'><model type='virtio'/><driver queues='1'/></interface>", 1)]
    [TestCase("<interface type='ethernet'><model type='virtio'/><driver queues='4'/></interface>", 4)]
    [TestCase("<interface type='bridge'><source bridge='br0'/><model type='virtio'/><driver name='qemu' queues='255'/></interface>", 255)]
    public void Plan_DriverQueues_AreTheDevicesQueuePairs(string nic, int pairs)
    {
        var plans = NetMapping.Plan(Parse(nic).Definition.Devices.Interfaces, _ => { });

        Assert.That(plans.Single().Device.QueuePairs, Is.EqualTo(pairs));
    }

    [Test]
    public void MaxNetQueuePairs_IsTheDevicesLimit() =>
        Assert.That(Kvm.Vmm.Support.VmmSupport.MaxNetQueuePairs, Is.EqualTo(Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader.MaxQueuePairs));

    [TestCase("<interface type='ethernet'><target dev='a-name-longer-than-15'/><model type='virtio'/></interface>", "target dev 'a-name-longer-than-15' is longer than 15 bytes, the most an interface name has (IFNAMSIZ)")]
    [TestCase("<interface type='ethernet'><target dev='tap/0'/><model type='virtio'/></interface>", "target dev 'tap/0' is not a valid interface name (no '/', ':' or white space)")]
    [TestCase("<interface type='bridge'><source bridge='bridge-with-a-long-name'/><model type='virtio'/></interface>", "source bridge 'bridge-with-a-long-name' is longer than 15 bytes, the most an interface name has (IFNAMSIZ)")]
    public void Plan_InvalidInterfaceNames_AreRefusedBeforeAnythingOpens(string nic, string message)
    {
        Assert.That(() => NetMapping.Plan(Parse(nic).Definition.Devices.Interfaces, _ => { }),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo("interface net0: " + message));
    }

    /// <summary>Asks the kernel only for the bridge's index (SIOCGIFINDEX): no interface is made or changed.</summary>
    [Test]
    public void Map_BridgeThatDoesNotExist_IsAClearErrorBeforeTheVmStarts()
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, Domain("<interface type='bridge'><source bridge='kvmt-nobr9'/><model type='virtio'/></interface>"));

        Assert.That(() => LaunchFromXml.Plan(xml, ignoreUnsupported: false, _ => { }),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("interface net0: The bridge 'kvmt-nobr9' does not exist"));
    }

    [Test]
    public void Map_RefusedInterfaceWithIgnoreUnsupported_RunsWithoutIt()
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, Domain("<interface type='network'><source network='default'/><model type='virtio'/></interface>"));

        var plan = LaunchFromXml.Plan(xml, ignoreUnsupported: true, _ => { });
        using (plan.Serial)
        {
            Assert.That(plan.Machine.Nics, Is.Empty);
        }
    }

    private static (Kvm.Vmm.Net.TapOptions Tap, Kvm.Vmm.Devices.Virtio.Net.VirtioNetConfig Device, byte? Slot) Single(string nic)
    {
        var plans = NetMapping.Plan(Parse(nic).Definition.Devices.Interfaces, _ => { });
        Assert.That(plans, Has.Count.EqualTo(1));
        Assert.That(plans[0].Tap, Is.Not.Null);
        return (plans[0].Tap!, plans[0].Device, plans[0].Slot);
    }

    private static DomainDocument Parse(string devices) => DomainXmlParser.Parse(Domain(devices), "guest.xml", DomainParseFlags.Inactive);

    private static string Domain(string devices) => $"""
        <domain type='kvm'>
          <name>net-mapping</name>
          <memory unit='MiB'>128</memory>
          <os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinuz</kernel></os>
          <devices>
            {devices}
          </devices>
        </domain>
        """;
}
