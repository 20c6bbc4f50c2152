using Kvm.Vmm.Block;
using Kvm.Vmm.Launch;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>A domain's disks and RNGs onto kvm-vmm's virtio devices, through the --domain-xml path, on real image files.</summary>
public sealed class DiskMappingTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("kvm-disk-mapping-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Map_RawVirtioDisk_OpensTheImageWithTheXmlsSettings()
    {
        string image = Image("root.raw", 1 << 20);
        var warnings = new List<string>();
        var plan = Plan($"""
            <disk type='file' device='disk'>
              <driver name='qemu' type='raw' cache='unsafe' discard='unmap' queues='2'/>
              <source file='{image}'/><target dev='vda' bus='virtio'/><serial>sn-1</serial>
              <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
            </disk>
            <rng model='virtio'><rate bytes='100'/><backend model='random'>/dev/random</backend></rng>
            """, warnings);
        try
        {
            var disk = plan.Machine.Disks.Single();
            Assert.Multiple(() =>
            {
                Assert.That(disk.Slot, Is.EqualTo(7));
                Assert.That(disk.Device.Name, Is.EqualTo("vda"));
                Assert.That(disk.Device.Serial, Is.EqualTo("sn-1"));
                Assert.That(disk.Device.Queues, Is.EqualTo(2));
                Assert.That(disk.Backend.Size, Is.EqualTo(1UL << 20));
                Assert.That(disk.Backend.SupportsDiscard, Is.True);
                Assert.That(plan.Machine.Rngs.Single().Device.SourcePath, Is.EqualTo("/dev/random"));
                Assert.That(plan.Machine.Rngs.Single().Device.RatePeriodMilliseconds, Is.EqualTo(1000u), "libvirt's default period");
                Assert.That(warnings, Is.Empty);
            });
        }
        finally
        {
            Close(plan);
        }
    }

    [Test]
    public void Map_AddressBehindABridge_GoesToAFreeSlotWithAWarning()
    {
        string image = Image("q35.raw", 1 << 20);
        var warnings = new List<string>();
        var plan = Plan($"""
            <disk type='file' device='disk'><source file='{image}'/><target dev='vda' bus='virtio'/>
              <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/></disk>
            """, warnings);
        try
        {
            Assert.That(plan.Machine.Disks.Single().Slot, Is.Null);
            Assert.That(warnings, Has.One.Contains("0000:04:00.0"));
        }
        finally
        {
            Close(plan);
        }
    }

    [TestCase("<disk type='file' device='cdrom'><source file='/x.iso'/><target dev='hdc' bus='ide'/></disk>", "disk hdc (device 'cdrom')")]
    [TestCase("<disk type='file' device='disk'><source file='/x'/><target dev='sda' bus='sata'/></disk>", "disk sda on bus 'sata'")]
    [TestCase("<disk type='network' device='disk'><source protocol='nbd' name='x'><host name='h'/></source><target dev='vda' bus='virtio'/></disk>", "disk vda (type 'network')")]
    [TestCase("<disk type='file' device='disk'><driver name='qemu' type='vmdk'/><source file='/x'/><target dev='vda' bus='virtio'/></disk>", "disk vda (format 'vmdk')")]
    [TestCase("<rng model='virtio'><backend model='egd' type='tcp'><source mode='connect' host='h' service='1'/></backend></rng>", "rng backend 'egd'")]
    public void Map_DevicesKvmVmmDoesNotRun_AreRefusedByName(string device, string name)
    {
        Assert.That(() => Plan(device, []), Throws.InstanceOf<LaunchException>().With.Message.Contains(name));
    }

    [Test]
    public void Map_MissingImage_SaysWhichDiskAndFile()
    {
        string missing = Path.Combine(_directory, "missing.qcow2");
        Assert.That(() => Plan($"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='{missing}'/><target dev='vdb' bus='virtio'/></disk>", []),
            Throws.InstanceOf<LaunchException>().With.Message.Contains("disk vdb").And.Message.Contains(missing));
    }

    [Test]
    public void Options_CacheAndBackingStore_AsLibvirtMapsThem()
    {
        var plan = DiskMapping.Options(new Kvm.DomainXml.Model.DiskDef
        {
            Type = "file", TargetDev = "vda", Source = "/top.qcow2", DriverType = "qcow2", Cache = "none", ReadOnly = true, Shareable = true,
            BackingChain = [new("file", "/base.raw", "raw")],
        });
        Assert.Multiple(() =>
        {
            Assert.That(plan.Direct, Is.True);
            Assert.That(plan.IgnoreFlush, Is.False);
            Assert.That(plan.ReadOnly, Is.True);
            Assert.That(plan.Shareable, Is.True);
            Assert.That(plan.Format, Is.EqualTo(ImageFormat.Qcow2));
            Assert.That(plan.Backing, Is.EqualTo(new[] { new BackingImage("/base.raw", ImageFormat.Raw) }));
        });
    }

    private string Image(string name, int size)
    {
        string path = Path.Combine(_directory, name);
        using var file = File.Create(path);
        file.SetLength(size);
        return path;
    }

    private static void Close(LaunchPlan plan)
    {
        plan.Serial.Dispose();
        foreach (var disk in plan.Machine.Disks)
        {
            disk.Backend.Dispose();
        }
    }

    private LaunchPlan Plan(string devices, List<string> warnings)
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>disk-mapping</name>
              <memory unit='MiB'>128</memory>
              <os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinuz</kernel></os>
              <devices>
                {devices}
              </devices>
            </domain>
            """);
        return LaunchFromXml.Plan(xml, ignoreUnsupported: false, warnings.Add);
    }
}
