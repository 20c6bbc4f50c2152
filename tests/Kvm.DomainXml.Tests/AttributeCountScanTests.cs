using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Reading;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

/// <summary>The linear attribute count before the reader: what it counts, what it skips, what it leaves to the reader.</summary>
public sealed class AttributeCountScanTests
{
    private static readonly DomainXmlLimits s_two = new() { MaxAttributesPerElement = 2 };

    private static string Domain(string inside) =>
        "<domain type='kvm'><name>x</name><memory>1024</memory><os><type>hvm</type></os>" + inside + "</domain>";

    [TestCase("<!-- <a b='1' c='2' d='3'/> -->")]
    [TestCase("<description><![CDATA[<a b='1' c='2' d='3'/>]]></description>")]
    [TestCase("<?pi b='1' c='2' d='3'?>")]
    [TestCase("<description>a &gt; b = 'c' d='e' f='g'</description>")]
    [TestCase("<on_poweroff x='a&gt;b=c d=e f=g' y=\"'\">destroy</on_poweroff>")]
    public void Load_AttributesOnlyInSkippedTextOrWithinTheLimit_Accepted(string inside) =>
        Assert.That(() => XmlDocumentLoader.Load(Domain(inside), null, s_two), Throws.Nothing);

    [TestCase("<on_poweroff a='1' b='2' c='3'>destroy</on_poweroff>")]
    [TestCase("<on_poweroff\n a = \"1\"\tb='>'\r\n c='='>destroy</on_poweroff>")]
    [TestCase("<on_poweroff a='1' b='2' c='3'/>")]
    public void Load_ThreeAttributesWithALimitOfTwo_Refused(string inside) =>
        Assert.That(() => XmlDocumentLoader.Load(Domain(inside), null, s_two), Throws.TypeOf<DomainXmlException>()
            .With.Message.EqualTo("XML error: element <on_poweroff> has more than 2 attributes, the limit"));

    [TestCase("<a b='1")]
    [TestCase("<a b=1 c=2 d=3>")]
    [TestCase("<a b c d e>")]
    [TestCase("<")]
    [TestCase("<!--")]
    [TestCase("<a b='1' c='2' d")]
    public void Load_MalformedTag_LeftToTheReadersSyntaxError(string text) =>
        Assert.That(() => XmlDocumentLoader.Load(text, null, s_two), Throws.TypeOf<DomainXmlException>()
            .With.Property(nameof(DomainXmlException.Kind)).EqualTo(DomainXmlErrorKind.XmlSyntax));
}
