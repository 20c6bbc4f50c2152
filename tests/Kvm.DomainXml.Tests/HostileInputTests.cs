using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Reading;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

/// <summary>Untrusted XML: DTDs, entities, size and depth are refused with a clear error, never a crash.</summary>
[TestFixture]
public sealed class HostileInputTests
{
    private const string Body = "<name>x</name><memory>1024</memory><os><type>hvm</type></os>";

    [Test]
    public void Parse_ExternalEntity_IsRefused()
    {
        string xxe = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>" +
                     "<domain type='kvm'><name>&xxe;</name></domain>";

        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(xxe));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.InputRefused));
        Assert.That(error.Message, Does.Contain("DTD"));
    }

    [Test]
    public void Parse_BillionLaughs_IsRefusedQuickly()
    {
        var sb = new System.Text.StringBuilder("<!DOCTYPE domain [<!ENTITY l0 'lol'>");
        for (int i = 1; i < 10; i++)
        {
            sb.Append($"<!ENTITY l{i} '&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};'>");
        }

        sb.Append("]><domain type='kvm'><name>&l9;</name></domain>");
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(sb.ToString()));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.InputRefused));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(16 * 1024 * 1024));
    }

    [Test]
    public void Parse_UndeclaredEntityReference_IsAnXmlError()
    {
        var error = Assert.Throws<DomainXmlException>(() =>
            DomainXmlParser.Parse("<domain type='kvm'><name>&nope;</name></domain>"));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.XmlSyntax));
        Assert.That(error.Location!.Value.Line, Is.EqualTo(1));
    }

    [Test]
    public void Parse_DeepNesting_IsRefusedAtTheLimit()
    {
        string deep = "<domain type='kvm'>" + Body + "<metadata>" + string.Concat(Enumerable.Repeat("<a>", 100_000)) +
                      string.Concat(Enumerable.Repeat("</a>", 100_000)) + "</metadata></domain>";

        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(deep));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.InputRefused));
        Assert.That(error.Message, Does.Contain($"nested more than {DomainXmlLimits.DefaultMaxDepth} deep"));
    }

    [Test]
    public void Parse_NestingWithinTheLimit_IsAccepted()
    {
        string nested = "<domain type='kvm'>" + Body + "<metadata><m:a xmlns:m='urn:x'>" +
                        string.Concat(Enumerable.Repeat("<m:a>", 50)) + string.Concat(Enumerable.Repeat("</m:a>", 50)) +
                        "</m:a></metadata></domain>";

        var document = DomainXmlParser.Parse(nested);

        Assert.That(DomainXmlFormatter.Format(document), Does.Contain("<m:a xmlns:m=\"urn:x\">"));
    }

    [Test]
    public void Parse_OversizedDocument_IsRefusedBeforeParsing()
    {
        var limits = new DomainXmlLimits { MaxCharacters = 1000 };
        string big = "<domain type='kvm'>" + Body + "<description>" + new string('x', 2000) + "</description></domain>";

        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(big, "big.xml", limits: limits));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.InputRefused));
        Assert.That(error.Message, Does.Contain("more than the limit of 1000"));
        Assert.That(error.Location!.Value.File, Is.EqualTo("big.xml"));
    }

    private static string WithOsAttributes(int count) =>
        "<domain type='kvm'><name>x</name><memory>1024</memory><os " +
        string.Join(' ', Enumerable.Range(0, count).Select(i => $"a{i}='v'")) + "><type>hvm</type></os></domain>";

    [Test]
    public void Parse_AttributesAtTheLimit_Accepted()
    {
        var document = DomainXmlParser.Parse(WithOsAttributes(DomainXmlLimits.DefaultMaxAttributesPerElement), flags: DomainParseFlags.SkipValidate);
        Assert.That(document.Definition.Name, Is.EqualTo("x"));
    }

    [TestCase(DomainXmlLimits.DefaultMaxAttributesPerElement + 1)]
    [TestCase(500_000)]
    public void Parse_MoreAttributesOnOneElementThanTheLimit_RefusedNamingTheElement(int count)
    {
        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(WithOsAttributes(count), "attrs.xml"));
        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.InputRefused));
        Assert.That(error.Message, Is.EqualTo("XML error: element <os> has more than 1024 attributes, the limit"));
        Assert.That(error.Location!.Value, Is.EqualTo(new SourceLocation("attrs.xml", 1, 56, string.Empty)));
    }

    [Test]
    public void Parse_DuplicateAttribute_StillAnXmlError()
    {
        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse("<domain type='kvm' type='qemu'/>"));
        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.XmlSyntax));
    }

    [Test]
    public void Parse_MoreElementsThanTheLimit_Refused()
    {
        var limits = new DomainXmlLimits { MaxElements = 50 };
        string many = "<domain type='kvm'>" + Body + "<devices>" + string.Concat(Enumerable.Repeat("<serial type='null'/>", 60)) + "</devices></domain>";
        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(many, limits: limits));
        Assert.That(error!.Message, Is.EqualTo("XML error: the document has more than 50 elements"));
    }

    [Test]
    public void Parse_HundredThousandDisks_RefusedByTheDefaultElementLimit()
    {
        string disks = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"<disk type='file' device='disk'><source file='/d{i}'/><target dev='vda'/></disk>"));
        string xml = "<domain type='kvm'>" + Body + "<devices>" + disks + "</devices></domain>";
        Assert.That(() => DomainXmlParser.Parse(xml, limits: new DomainXmlLimits { MaxCharacters = 20 * 1024 * 1024 }),
            Throws.TypeOf<DomainXmlException>().With.Message.EqualTo("XML error: the document has more than 100000 elements"));
    }

    [TestCase("")]
    [TestCase("not xml at all")]
    [TestCase("<domain type='kvm'>")]
    [TestCase("<domain type='kvm'><name>a</name></domian>")]
    [TestCase("\u0000\u0001garbage")]
    public void Parse_MalformedInput_IsAnErrorNotACrash(string text)
    {
        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(text));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.XmlSyntax));
    }

    [Test]
    public void Parse_WrongRootElement_SaysWhatWasExpected()
    {
        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse("<network/>"));

        Assert.That(error!.Message, Is.EqualTo("XML error: unexpected root element <network>, expecting <domain>"));
    }
}
