using System.Xml.Linq;
using Kvm.Driver.Domains;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Domains;

public sealed class PciAddressAssignmentTests
{
    [Test]
    public void Assign_VirtioDisksThenRngs_TakeTheFirstFreeSlotsFromTwo()
    {
        var document = XDocument.Parse("""
            <domain type='kvm'><devices>
              <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
              <disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/></disk>
              <disk type='file' device='disk'><source file='/b'/><target dev='vdb'/><address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></disk>
              <disk type='file' device='cdrom'><source file='/c'/><target dev='hdc' bus='ide'/></disk>
              <disk type='file' device='disk'><source file='/d'/><target dev='vdc'/></disk>
            </devices></domain>
            """);
        Assert.That(PciAddressAssignment.Assign(document), Is.True);
        var slots = document.Descendants("address").Select(a => $"{a.Parent!.Element("target")?.Attribute("dev")?.Value ?? a.Parent.Name.LocalName}={a.Attribute("slot")!.Value}");
        Assert.That(slots, Is.EquivalentTo(new[] { "rng=0x05", "vda=0x02", "vdb=0x03", "vdc=0x04" }));
        Assert.That(document.Descendants("disk").Single(d => d.Attribute("device")?.Value == "cdrom").Element("address"), Is.Null);
    }

    [Test]
    public void Assign_NothingToPlace_LeavesTheDocument()
    {
        var document = XDocument.Parse("<domain type='kvm'><devices><serial type='pty'/></devices></domain>");
        Assert.That(PciAddressAssignment.Assign(document), Is.False);
    }

    [Test]
    public void Define_VirtioDisk_IsStoredWithItsPciAddress()
    {
        string xml = TestDomains.Xml("disky").Replace("<devices>", """
            <devices>
              <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/images/disky.qcow2'/><target dev='vda' bus='virtio'/></disk>
            """, StringComparison.Ordinal);
        Assert.That(xml, Does.Contain("vda"), "the test domain has a <devices> element");
        string stored = DefineAndRead(xml);
        Assert.That(stored, Does.Contain("<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>"));
    }

    private static string DefineAndRead(string xml)
    {
        var fixture = new ManagerFixture();
        try
        {
            fixture.Manager.InitializeAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            var info = fixture.Manager.Define(xml);
            return File.ReadAllText(Path.Combine(fixture.Options.StateDirectory, info.Name + ".xml"));
        }
        finally
        {
            fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
