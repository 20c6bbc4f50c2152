using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

/// <summary>libvirt's canonical form: order, escaping, namespaces, and unknown content kept in place.</summary>
[TestFixture]
public sealed class CanonicalWriterTests
{
    private const string Head = "<domain type='kvm'><name>w</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>" +
                                "<memory>1024</memory>";

    private static string Format(string inner) =>
        DomainXmlFormatter.Format(DomainXmlParser.Parse(Head + inner + "</domain>", null, DomainParseFlags.Inactive));

    [Test]
    public void Format_ElementsOutOfOrder_AreWrittenInLibvirtsOrder()
    {
        string xml = Format("<on_crash>restart</on_crash><os><type>hvm</type></os><vcpu>2</vcpu>");

        Assert.That(xml, Is.EqualTo("""
            <domain type='kvm'>
              <name>w</name>
              <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
              <memory unit='KiB'>1024</memory>
              <currentMemory unit='KiB'>1024</currentMemory>
              <vcpu placement='static'>2</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <boot dev='hd'/>
              </os>
              <clock offset='utc'/>
              <on_poweroff>destroy</on_poweroff>
              <on_reboot>restart</on_reboot>
              <on_crash>restart</on_crash>
              <devices>
              </devices>
            </domain>

            """));
    }

    [Test]
    public void Format_SpecialCharacters_AreEscapedAsLibvirtDoes()
    {
        string xml = Format("<os><type>hvm</type><cmdline>a&lt;b &amp; c=\"d\" 'e'</cmdline></os>");

        Assert.That(xml, Does.Contain("<cmdline>a&lt;b &amp; c=&quot;d&quot; &apos;e&apos;</cmdline>"));
    }

    [Test]
    public void Format_UnknownElementsAndAttributes_AreKeptInPlace()
    {
        string xml = Format("<os><type>hvm</type></os><devices><disk type='file' future='yes'>" +
                            "<source file='/a'/><frobnicator level='3'/><target dev='vda' bus='virtio'/></disk></devices>");

        Assert.That(xml, Does.Contain("""
                <disk type='file' future='yes'>
                  <source file='/a'/>
                  <frobnicator level='3'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
            """));
    }

    [Test]
    public void Format_DriverNamespace_UsesLibvirtsPrefixWhateverTheInputUsed()
    {
        string xml = Format("<os><type>hvm</type></os><x:commandline xmlns:x='http://libvirt.org/schemas/domain/qemu/1.0'>" +
                            "<x:arg value='-S'/></x:commandline>");

        Assert.That(xml, Does.StartWith("<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"));
        Assert.That(xml, Does.Contain("  <qemu:commandline>\n    <qemu:arg value='-S'/>\n  </qemu:commandline>\n</domain>"));
    }

    [Test]
    public void Format_Metadata_IsDumpedLikeLibxml2()
    {
        string xml = Format("<metadata>  <a:x xmlns:a='urn:a' k='v'>  <a:y/></a:x><b:z xmlns:b='urn:b'>t</b:z></metadata>" +
                            "<os><type>hvm</type></os>");

        Assert.That(xml, Does.Contain("""
              <metadata>
                <a:x xmlns:a="urn:a" k="v">
                  <a:y/>
                </a:x>
                <b:z xmlns:b="urn:b">t</b:z>
              </metadata>
            """));
    }

    [Test]
    public void Format_WithoutSecureFlag_DropsPasswords()
    {
        var document = DomainXmlParser.Parse(Head + "<os><type>hvm</type></os><devices><graphics type='vnc' passwd='s3cret'/>" +
                                             "</devices></domain>");

        Assert.That(DomainXmlFormatter.Format(document, DomainFormatFlags.Secure), Does.Contain("passwd='s3cret'"));
        Assert.That(DomainXmlFormatter.Format(document, DomainFormatFlags.None), Does.Not.Contain("s3cret"));
    }

    [Test]
    public void Parse_NoUuid_GeneratesOne()
    {
        var document = DomainXmlParser.Parse("<domain type='kvm'><name>n</name><memory>1024</memory><os><type>hvm</type></os></domain>");

        Assert.That(document.Definition.Uuid, Is.Not.EqualTo(Guid.Empty));
        Assert.That(DomainXmlFormatter.Format(document), Does.Contain($"<uuid>{document.Definition.Uuid:D}</uuid>"));
    }

    [TestCase("not-a-uuid")]
    [TestCase("c7a5fdbd-edaf-9455-926a-d65c16db18")]
    public void Parse_MalformedUuid_IsRejected(string uuid)
    {
        var error = Assert.Throws<Errors.DomainXmlException>(() => DomainXmlParser.Parse(
            $"<domain type='kvm'><name>n</name><uuid>{uuid}</uuid><memory>1024</memory><os><type>hvm</type></os></domain>"));

        Assert.That(error!.Message, Is.EqualTo("internal error: malformed uuid element"));
        Assert.That(error.Location!.Value.Path, Is.EqualTo("/domain/uuid"));
    }

    [Test]
    public void Parse_SkipValidate_KeepsADefinitionThatValidationRejects()
    {
        string xml = "<domain type='kvm'><name>a/b</name><memory>1024</memory><os><type>hvm</type></os></domain>";

        Assert.Throws<Errors.DomainXmlException>(() => DomainXmlParser.Parse(xml));
        Assert.That(DomainXmlParser.Parse(xml, null, DomainParseFlags.SkipValidate).Definition.Name, Is.EqualTo("a/b"));
    }

    [Test]
    public void Parse_MalformedMac_IsRejectedNotReplaced()
    {
        var error = Assert.Throws<Errors.DomainXmlException>(() => Format(
            "<os><type>hvm</type></os><devices><interface type='user'><mac address='52:54:zz:00:00:01'/></interface></devices>"));

        Assert.That(error!.Message, Is.EqualTo("XML error: unable to parse mac address '52:54:zz:00:00:01'"));
        Assert.That(error.Location!.Value.Path, Is.EqualTo("/domain/devices/interface/mac/@address"));
    }

    [Test]
    public void Parse_InterfaceWithoutMac_GetsAGeneratedQemuPrefixedAddress()
    {
        string xml = Format("<os><type>hvm</type></os><devices><interface type='user'/></devices>");

        Assert.That(xml, Does.Match("<interface type='user'>\n      <mac address='52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}'/>"));
    }

    [Test]
    public void Parse_LiveVersusInactive_KeepsOrDropsTheDomainId()
    {
        string xml = "<domain type='kvm' id='7'><name>n</name><memory>1024</memory><os><type>hvm</type></os></domain>";

        var live = DomainXmlParser.Parse(xml);
        var inactive = DomainXmlParser.Parse(xml, null, DomainParseFlags.Inactive);

        Assert.That(live.Definition.Id, Is.EqualTo(7));
        Assert.That(DomainXmlFormatter.Format(live), Does.StartWith("<domain type='kvm' id='7'>"));
        Assert.That(DomainXmlFormatter.Format(live, DomainFormatFlags.Secure | DomainFormatFlags.Inactive), Does.StartWith("<domain type='kvm'>"));
        Assert.That(inactive.Definition.Id, Is.Null);
        Assert.That(DomainXmlFormatter.Format(inactive), Does.StartWith("<domain type='kvm'>"));
    }
}
