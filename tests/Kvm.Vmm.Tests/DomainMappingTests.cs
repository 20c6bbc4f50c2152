using Kvm.Vmm.Interop;
using Kvm.Vmm.Launch;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>A domain's serial port (or serial console) onto COM1's host end, through kvm-vmm's --domain-xml path.</summary>
public sealed class DomainMappingTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("kvm-mapping-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Map_UnixSerialInBindMode_ListensOnThePathUntilDisposed()
    {
        string socket = Path.Combine(_directory, "console.sock");
        var plan = Plan($"<serial type='unix'><source mode='bind' path='{socket}'/><target port='0'/></serial>");

        using (plan.Serial)
        {
            Assert.Multiple(() =>
            {
                Assert.That(Stat.IsSocket(socket), Is.True);
                Assert.That(plan.Serial.QemuFilename, Is.EqualTo($"disconnected:unix:{socket},server=on"));
                Assert.That(plan.Serial.Input, Is.Not.Null);
                Assert.That(plan.SerialLabel, Is.EqualTo("charserial0"));
            });
        }

        Assert.That(File.Exists(socket), Is.False, "the socket file is removed at exit");
    }

    [Test]
    public void Map_UnixSerialInConnectModeWithoutServer_IsRefusedWithThePath()
    {
        string socket = Path.Combine(_directory, "server.sock");

        Assert.That(() => Plan($"<serial type='unix'><source mode='connect' path='{socket}'/></serial>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains(socket));
    }

    [Test]
    public void Map_SerialConsoleWithoutSerial_IsCom1()
    {
        string socket = Path.Combine(_directory, "console.sock");
        var plan = Plan($"<console type='unix'><source mode='bind' path='{socket}'/><target type='serial' port='0'/></console>");

        using (plan.Serial)
        {
            Assert.That(plan.Serial.QemuFilename, Is.EqualTo($"disconnected:unix:{socket},server=on"));
        }
    }

    [Test]
    public void Map_FileSerial_QueryChardevSaysFile()
    {
        string log = Path.Combine(_directory, "console.log");
        var plan = Plan($"<serial type='file'><source path='{log}'/></serial>");

        using (plan.Serial)
        {
            Assert.That(plan.Serial.QemuFilename, Is.EqualTo("file"));
        }
    }

    [Test]
    public void Map_UnsupportedSerialType_SaysWhatIsSupported()
    {
        Assert.That(() => Plan("<serial type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/></serial>"),
            Throws.InstanceOf<LaunchException>().With.Message.EqualTo(
                "serial type 'tcp' is not supported yet (pty, file, stdio, null, and unix with a source path in mode 'bind' or 'connect' are)"));
    }

    [Test]
    public void Map_UnsupportedDevices_AreNamedAsTheXmlSpellsThem()
    {
        Assert.That(() => Plan("<input type='tablet' bus='usb'/><memballoon model='virtio'/>"),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("input type 'tablet' on bus 'usb', memballoon model 'virtio'"));
    }

    [Test]
    public void Map_VirtioDisks_GetLibvirtsAliasesAndNodeNumbersInXmlOrder()
    {
        string first = Path.Combine(_directory, "b.raw");
        string second = Path.Combine(_directory, "a.raw");
        File.WriteAllBytes(first, new byte[1 << 16]);
        File.WriteAllBytes(second, new byte[1 << 16]);
        var plan = Plan($"""
            <disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/><source file='{first}'/><target dev='vdb' bus='virtio'/></disk>
            <disk type='file' device='disk'><driver name='qemu' type='raw' cache='unsafe'/><source file='{second}'/><target dev='vda' bus='virtio'/></disk>
            """);
        try
        {
            var infos = plan.Machine.Disks.Select(d => d.Monitor!).ToList();
            Assert.That(infos.Select(i => (i.DeviceId, i.NodeIndex)), Is.EqualTo(new[] { ("virtio-disk1", 1), ("virtio-disk0", 2) }));
            Assert.That(infos.Select(i => (i.Direct, i.NoFlush)), Is.EqualTo(new[] { (true, false), (false, true) }));
        }
        finally
        {
            foreach (var disk in plan.Machine.Disks)
            {
                disk.Backend.Dispose();
            }
        }
    }

    [TestCase("vda", "virtio-disk0")]
    [TestCase("vdz", "virtio-disk25")]
    [TestCase("vdaa", "virtio-disk26")]
    [TestCase("vdab", "virtio-disk27")]
    public void Alias_TargetName_IsLibvirtsDiskIndex(string target, string alias)
    {
        Assert.That(DiskMapping.Alias(target), Is.EqualTo(alias));
    }

    private LaunchPlan Plan(string serial)
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>serial-mapping</name>
              <memory unit='MiB'>128</memory>
              <os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinuz</kernel></os>
              <devices>
                {serial}
              </devices>
            </domain>
            """);
        return LaunchFromXml.Plan(xml, ignoreUnsupported: false, _ => { });
    }
}
