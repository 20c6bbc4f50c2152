using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

[TestFixture]
public sealed class CpuSetTests
{
    [TestCase("0", "0")]
    [TestCase("0-3", "0-3")]
    [TestCase("1-3,^2", "1,3")]
    [TestCase("1-4,8-20,525", "1-4,8-20,525")]
    [TestCase("3,2,1,0", "0-3")]
    [TestCase(" 0 - 1 ", "0-1")]
    public void Normalize_LibvirtSyntax_WritesRanges(string input, string expected)
    {
        Assert.That(CpuSet.Normalize(input, null, null), Is.EqualTo(expected));
    }

    [TestCase("a")]
    [TestCase("3-1")]
    [TestCase("^1-2")]
    [TestCase("99999")]
    [TestCase("")]
    public void Parse_Garbage_IsAnInvalidArgument(string input)
    {
        var error = Assert.Throws<DomainXmlException>(() => CpuSet.Parse(input));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.InvalidArgument));
    }
}
