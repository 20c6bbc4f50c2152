using System.Xml.Linq;
using Kvm.DomainXml.Model;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

[TestFixture]
public sealed class DomainEditsTests
{
    private const string Xml = """
        <domain type='kvm'>
          <name>a</name>
          <uuid>6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c</uuid>
          <title>old title</title>
          <memory unit='MiB'>128</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64'>hvm</type><kernel>/boot/vmlinuz</kernel></os>
          <devices>
            <serial type='pty'><target port='0'/></serial>
            <console type='pty'><target type='serial' port='0'/></console>
          </devices>
        </domain>
        """;

    private static DomainDocument Inactive() => DomainXmlParser.Parse(Xml, null, DomainParseFlags.Inactive);

    [Test]
    public void ToLive_InactiveDefinition_LiveIdOnTheRootAndTheSourceUnchanged()
    {
        var source = Inactive();
        var live = DomainEdits.ToLive(source, 7);
        Assert.That((live.Definition.Id, (live.ParseFlags & DomainParseFlags.Inactive) == 0), Is.EqualTo(((int?)7, true)));
        Assert.That(DomainXmlFormatter.Format(live), Does.StartWith("<domain type='kvm' id='7'>"));
        Assert.That(source.Definition.Id, Is.Null);
        Assert.That(DomainXmlFormatter.Format(live, DomainFormatFlags.Secure | DomainFormatFlags.Inactive), Is.EqualTo(DomainXmlFormatter.Format(source, DomainFormatFlags.Secure | DomainFormatFlags.Inactive)));
    }

    [Test]
    public void WithDiskImage_BlockDiskWithBackingChain_FileOverlayQcow2NoChain()
    {
        var source = DomainXmlParser.Parse(Xml.Replace("<devices>", """
            <devices>
              <disk type='block' device='disk'>
                <driver name='qemu' type='raw'/>
                <source dev='/dev/vg/a'/>
                <backingStore/>
                <target dev='vda' bus='virtio'/>
              </disk>
            """, StringComparison.Ordinal), null, DomainParseFlags.Inactive);
        var edited = DomainEdits.WithDiskImage(source, "vda", "file", "/images/a.snap", "qcow2");
        DiskDef disk = edited.Definition.Devices.Disks.Single();
        Assert.That((disk.Type, disk.Source, disk.DriverType, disk.BackingChain), Is.EqualTo(("file", "/images/a.snap", "qcow2", (IReadOnlyList<DiskBackingDef>?)null)));
        Assert.That(DomainXmlFormatter.Format(edited, DomainFormatFlags.Inactive), Does.Contain("<source file='/images/a.snap'/>"));
        Assert.That(source.Definition.Devices.Disks.Single().Source, Is.EqualTo("/dev/vg/a"), "the input is not changed");
        Assert.That(() => DomainEdits.WithDiskImage(source, "vdz", "file", "/x", "qcow2"), Throws.ArgumentException);
    }

    [Test]
    public void WithName_Inactive_NewNameAndStillInactive()
    {
        var renamed = DomainEdits.WithName(Inactive(), "b");
        Assert.That(renamed.Definition.Name, Is.EqualTo("b"));
        Assert.That(renamed.ParseFlags & DomainParseFlags.Inactive, Is.EqualTo(DomainParseFlags.Inactive));
    }

    [Test]
    public void WithSerialPty_PtySerialAndConsole_BothGetThePathAndTheConsoleItsTty()
    {
        var live = DomainEdits.WithSerialPty(DomainEdits.ToLive(Inactive(), 1), "/dev/pts/9")!;
        Assert.That(live.Definition.Devices.Chardevs.Select(c => (c.Kind, c.Source.Path)),
            Is.EqualTo(new[] { (ChardevKind.Serial, (string?)"/dev/pts/9"), (ChardevKind.Console, (string?)"/dev/pts/9") }));
        Assert.That(live.Root.Element("devices")!.Element("console")!.Attribute("tty")!.Value, Is.EqualTo("/dev/pts/9"));
        Assert.That(live.Definition.Id, Is.EqualTo(1));
    }

    [Test]
    public void WithSerialPty_NoPtySerial_Null()
    {
        var document = DomainXmlParser.Parse(Xml.Replace("<serial type='pty'>", "<serial type='null'>", StringComparison.Ordinal), null, DomainParseFlags.Inactive);
        Assert.That(DomainEdits.WithSerialPty(document, "/dev/pts/9"), Is.Null);
    }

    [Test]
    public void WithTitleAndDescription_SetReplaceRemove_TypedModelFollows()
    {
        var document = DomainEdits.WithDescription(DomainEdits.WithTitle(Inactive(), "new title"), "a description");
        Assert.That((document.Definition.Title, document.Definition.Description), Is.EqualTo(("new title", "a description")));
        document = DomainEdits.WithTitle(document, null);
        Assert.That((document.Definition.Title, document.Definition.Description), Is.EqualTo(((string?)null, "a description")));
        Assert.That(DomainXmlFormatter.Format(document), Does.Not.Contain("<title>"));
    }

    [Test]
    public void WithMetadataElement_AddThenReplaceThenRemove_OneElementPerNamespaceAndNoEmptyContainer()
    {
        XNamespace ns = "http://example.org/app";
        var document = DomainEdits.WithMetadataElement(Inactive(), ns.NamespaceName, new XElement(ns + "app", new XAttribute(XNamespace.Xmlns + "app", ns.NamespaceName), "1"));
        document = DomainEdits.WithMetadataElement(document, ns.NamespaceName, new XElement(ns + "app", new XAttribute(XNamespace.Xmlns + "app", ns.NamespaceName), "2"));
        var elements = document.Root.Element("metadata")!.Elements().ToArray();
        Assert.That(elements.Select(e => (e.Name, e.Value)), Is.EqualTo(new[] { (ns + "app", "2") }));

        document = DomainEdits.WithMetadataElement(document, ns.NamespaceName, null);
        Assert.That(document.Root.Element("metadata"), Is.Null);
    }

    [TestCase("<vsock model='virtio'><cid auto='yes'/></vsock>", true, "<cid auto='yes' address='5'/>")]
    [TestCase("<vsock model='virtio'/>", true, "<cid auto='yes' address='5'/>")]
    [TestCase("<vsock model='virtio'><cid auto='yes' address='9'/></vsock>", false, "<cid auto='no' address='5'/>")]
    public void WithVsockCid_Vsock_CidOnTheTypedModelAndTheDocument(string vsock, bool auto, string expected)
    {
        var document = DomainXmlParser.Parse(Xml.Replace("</devices>", vsock + "</devices>", StringComparison.Ordinal), null, 0);
        var edited = DomainEdits.WithVsockCid(document, 5, auto)!;
        Assert.That((edited.Definition.Devices.Vsock!.Cid, edited.Definition.Devices.Vsock.AutoCid), Is.EqualTo(((uint?)5, (bool?)auto)));
        Assert.That(DomainXmlFormatter.Format(edited), Does.Contain(expected));
    }

    [Test]
    public void WithVsockCid_NoVsock_Null()
    {
        Assert.That(DomainEdits.WithVsockCid(Inactive(), 3, auto: true), Is.Null);
    }
}
