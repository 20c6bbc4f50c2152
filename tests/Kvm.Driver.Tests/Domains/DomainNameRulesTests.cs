using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>libvirt's name rules (a newline refused, as every libvirt driver's define does) and our stricter ones.</summary>
public sealed class DomainNameRulesTests
{
    [TestCase("a\nb", "invalid char in name: 0x0a")]
    [TestCase("a\tb", "invalid char in name: 0x09")]
    [TestCase("a\rb", "invalid char in name: 0x0d")]
    [TestCase("a\u001bb", "invalid char in name: 0x1b")]
    [TestCase("a\u007fb", "invalid char in name: 0x7f")]
    [TestCase("a\u0085b", "invalid char in name: 0x85")]
    [TestCase("abc\u202Egpj.exe", "invalid char in name: U+202E")]
    [TestCase("a\u2066b", "invalid char in name: U+2066")]
    [TestCase("a\u200Fb", "invalid char in name: U+200F")]
    public void Check_ControlOrBidiCharacter_XmlDetailWithLibvirtsMessage(string name, string message)
    {
        var e = Assert.Throws<DomainOperationException>(() => DomainNameRules.Check(name));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.XmlDetail, message)));
    }

    [TestCase("a/b", "XML error: name a/b cannot contain '/'")]
    [TestCase("..", "XML error: name .. is not a valid domain name")]
    public void Check_PathLikeName_XmlError(string name, string message)
    {
        var e = Assert.Throws<DomainOperationException>(() => DomainNameRules.Check(name));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.XmlError, message)));
    }

    [TestCase("web-1")]
    [TestCase("dömäne ünïcode")]
    [TestCase("名前")]
    [TestCase("a b.c_d")]
    public void Check_OrdinaryName_Accepted(string name) =>
        Assert.That(() => DomainNameRules.Check(name), Throws.Nothing);

    [Test]
    public void Check_LongestNameThatFits_AcceptedOneByteMoreRefused()
    {
        Assert.That(() => DomainNameRules.Check(new string('x', 247)), Throws.Nothing);
        var e = Assert.Throws<DomainOperationException>(() => DomainNameRules.Check(new string('x', 248)));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.XmlError,
            "XML error: domain name is 248 bytes long, more than the 247 bytes that fit in its file names")));
    }

    [Test]
    public void Check_MultiByteName_CountedInUtf8Bytes()
    {
        // 124 two-byte characters: 248 bytes although only 124 chars.
        Assert.That(() => DomainNameRules.Check(new string('é', 124)), Throws.TypeOf<DomainOperationException>()
            .With.Message.Contains("248 bytes long"));
    }
}
