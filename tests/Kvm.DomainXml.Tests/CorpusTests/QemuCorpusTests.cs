using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.CorpusTests;

/// <summary>
/// libvirt's qemuxmlconf sample: definitions libvirt accepts are accepted, format to a fixed point and lose no
/// element or attribute; definitions libvirt rejects at define time are mostly rejected with its category.
/// </summary>
[TestFixture]
public sealed class QemuCorpusTests
{
    /// <summary>Inputs libvirt accepts in at least one variant (define succeeds).</summary>
    public static IEnumerable<TestCaseData> Accepted() =>
        Rows().GroupBy(r => r[0])
            .Where(g => g.Any(r => r[2] is "ok" or "start-error"))
            .Select(g => new TestCaseData(g.Key).SetName($"QemuCorpus_{g.Key.Replace('-', '_')}"));

    [TestCaseSource(nameof(Accepted))]
    public void Parse_AcceptedInput_FormatsToFixedPointWithoutLoss(string input)
    {
        string text = File.ReadAllText(Corpus.Path($"qemu-in/{input}.xml"));
        DomainDocument document;
        try
        {
            document = DomainXmlParser.Parse(text, input, DomainParseFlags.Inactive);
        }
        catch (DomainXmlException e)
        {
            Assert.Inconclusive("Rejected (counted by AcceptanceRate): " + e.ToUserMessage());
            return;
        }

        string once = DomainXmlFormatter.Format(document);
        string twice = DomainXmlFormatter.Format(DomainXmlParser.Parse(once, input, DomainParseFlags.Inactive));

        Assert.That(twice, Is.EqualTo(once), "format(parse(format(parse(x)))) must equal format(parse(x))");
        Assert.That(LostPaths(text, once), Is.Empty, "elements or attributes of the input missing from the output");
    }

    [Test]
    public void AcceptanceRate_OfInputsLibvirtAccepts_IsAtLeast98Percent()
    {
        var inputs = Accepted().Select(t => (string)t.Arguments[0]!).ToList();
        Assume.That(inputs, Is.Not.Empty, "corpus missing");
        var rejected = new List<string>();
        foreach (string input in inputs)
        {
            try
            {
                DomainXmlParser.Parse(File.ReadAllText(Corpus.Path($"qemu-in/{input}.xml")), input, DomainParseFlags.Inactive);
            }
            catch (DomainXmlException e)
            {
                rejected.Add($"{input}: {e.ToUserMessage()}");
            }
        }

        double rate = 100.0 * (inputs.Count - rejected.Count) / inputs.Count;
        TestContext.Out.WriteLine($"accepted {inputs.Count - rejected.Count} of {inputs.Count} ({rate:F1}%)");
        rejected.ForEach(TestContext.Out.WriteLine);
        Assert.That(rate, Is.GreaterThanOrEqualTo(98.0), string.Join("\n", rejected));
    }

    [Test]
    public void RejectionRate_OfInputsLibvirtRejectsAtDefine_IsAtLeast90Percent()
    {
        var cases = Rows().Where(r => r[2] == "parse-error").GroupBy(r => r[0]).ToList();
        Assume.That(cases, Is.Not.Empty, "corpus missing");
        int rejected = 0, sameCategory = 0;
        foreach (var group in cases)
        {
            string expected = File.ReadAllText(Corpus.Path(group.First()[4])).Trim();
            try
            {
                DomainXmlParser.Parse(File.ReadAllText(Corpus.Path($"qemu-in/{group.Key}.xml")), group.Key, DomainParseFlags.Inactive);
                TestContext.Out.WriteLine($"accepted {group.Key}: libvirt says {expected}");
            }
            catch (DomainXmlException e)
            {
                rejected++;
                bool expectedHasPrefix = Enum.GetValues<DomainXmlErrorKind>()
                    .Any(k => k.Prefix().Length > 0 && expected.StartsWith(k.Prefix() + ":", StringComparison.Ordinal));
                if (e.Kind.Prefix().Length == 0 ? !expectedHasPrefix : expected.StartsWith(e.Kind.Prefix() + ":", StringComparison.Ordinal))
                {
                    sameCategory++;
                }
            }
        }

        TestContext.Out.WriteLine($"rejected {rejected} of {cases.Count}, {sameCategory} with libvirt's category");
        Assert.That(rejected, Is.GreaterThanOrEqualTo((int)Math.Ceiling(cases.Count * 0.9)));
    }

    private static IEnumerable<string[]> Rows() => Corpus.Manifest("qemu-manifest.tsv");

    /// <summary>Element and attribute paths of the input that the output does not have.</summary>
    internal static List<string> LostPaths(string input, string output)
    {
        var have = Paths(XElement.Parse(output));
        // An inactive definition has no live id: dropping it is what parsing as inactive means.
        have.Add("/domain/@id");
        return Paths(XElement.Parse(input)).Where(p => !have.Contains(p)).Order().ToList();
    }

    private static HashSet<string> Paths(XElement root)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        Walk(root, string.Empty, paths);
        return paths;
    }

    private static void Walk(XElement element, string parent, HashSet<string> paths)
    {
        string path = parent + "/" + element.Name.LocalName;
        paths.Add(path);
        foreach (var a in element.Attributes())
        {
            if (!a.IsNamespaceDeclaration)
            {
                paths.Add(path + "/@" + a.Name.LocalName);
            }
        }

        foreach (var child in element.Elements())
        {
            Walk(child, path, paths);
        }
    }
}
