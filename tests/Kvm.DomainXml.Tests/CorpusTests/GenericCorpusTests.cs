using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.CorpusTests;

/// <summary>
/// libvirt's genericxml2xml test data: inputs libvirt accepts format byte-identically to its expected output;
/// inputs it rejects are rejected (live or inactive parse, as the test macro says).
/// </summary>
[TestFixture]
public sealed class GenericCorpusTests
{
    public static IEnumerable<TestCaseData> Accepted() =>
        Corpus.Manifest("generic-manifest.tsv")
            .Where(r => r[2] is "identity" or "different")
            .Select(r => new TestCaseData(r[0], r[3]).SetName($"Format_{Name(r[0])}_MatchesLibvirt"));

    public static IEnumerable<TestCaseData> Rejected() =>
        Corpus.Manifest("generic-manifest.tsv")
            .Where(r => r[2].StartsWith("parse-fail", StringComparison.Ordinal))
            .Select(r => new TestCaseData(r[0], r[2] == "parse-fail-inactive").SetName($"Parse_{Name(r[0])}_IsRejected"));

    [TestCaseSource(nameof(Accepted))]
    public void Format_AcceptedInput_MatchesLibvirtByteForByte(string input, string expected)
    {
        string text = File.ReadAllText(Corpus.Path(input));
        var document = DomainXmlParser.Parse(text, input, DomainParseFlags.None, macs: new LibvirtTestSuiteMacSource());

        string output = DomainXmlFormatter.Format(document, DomainFormatFlags.Secure);

        Assert.That(output, Is.EqualTo(File.ReadAllText(Corpus.Path(expected))));
    }

    [TestCaseSource(nameof(Rejected))]
    public void Parse_RejectedInput_Throws(string input, bool inactive)
    {
        string text = File.ReadAllText(Corpus.Path(input));
        var flags = inactive ? DomainParseFlags.Inactive : DomainParseFlags.None;

        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(text, input, flags));

        Assert.That(error!.Location, Is.Not.Null);
        Assert.That(error.Location!.Value.Path, Does.StartWith("/domain"));
    }

    [Test]
    public void Manifest_Counts_AreLibvirts()
    {
        Corpus.Require();
        Assert.That(Accepted().Count(), Is.EqualTo(43));
        Assert.That(Rejected().Count(), Is.EqualTo(20));
    }

    private static string Name(string path) => Path.GetFileNameWithoutExtension(path).Replace('-', '_');
}
