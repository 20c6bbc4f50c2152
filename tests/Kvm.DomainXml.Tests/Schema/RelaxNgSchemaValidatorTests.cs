using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Schema;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests.Schema;

/// <summary>
/// libxml2's RelaxNG verdicts against libvirt 10.7's <c>domain.rng</c> (the corpus copy) must equal the corpus
/// manifests', which were produced with the same libxml2 engine; plus the validator's own contract.
/// </summary>
[TestFixture]
public sealed class RelaxNgSchemaValidatorTests
{
    private const string MinimalDomain =
        "<domain type='kvm'>\n" +
        "  <name>demo</name>\n" +
        "  <memory unit='KiB'>1048576</memory>\n" +
        "  <os>\n" +
        "    <type arch='x86_64'>hvm</type>\n" +
        "  </os>\n" +
        "</domain>\n";

    private RelaxNgSchemaValidator? _corpusValidator;

    public static IEnumerable<TestCaseData> GenericInputs() =>
        Corpus.Manifest("generic-manifest.tsv")
            .Select(r => new TestCaseData(r[0], r[5] == "yes").SetName($"Validate_{Name(r[0])}_{Verdict(r[5])}"));

    public static IEnumerable<TestCaseData> QemuInputs() =>
        Corpus.Manifest("qemu-manifest.tsv")
            .DistinctBy(r => r[0])
            .Select(r => new TestCaseData("qemu-in/" + r[0] + ".xml", r[7] == "yes")
                .SetName($"Validate_qemu_{Name(r[0])}_{Verdict(r[7])}"));

    [OneTimeTearDown]
    public void DisposeValidator() => _corpusValidator?.Dispose();

    [TestCaseSource(nameof(GenericInputs))]
    [TestCaseSource(nameof(QemuInputs))]
    public void Validate_CorpusInput_MatchesManifest(string input, bool expectedValid)
    {
        string text = File.ReadAllText(Corpus.Path(input));

        var result = CorpusValidator().Validate(text, input);

        Assert.That(result.IsValid, Is.EqualTo(expectedValid), () => string.Join(Environment.NewLine, result.Errors));
        Assert.That(result.Errors, expectedValid ? Is.Empty : Is.Not.Empty);
    }

    [Test]
    public void Manifests_Counts_MatchCorpusReadme()
    {
        Corpus.Require();
        var qemuVerdicts = Corpus.Manifest("qemu-manifest.tsv").GroupBy(r => r[0]).ToList();

        Assert.That(GenericInputs().Count(), Is.EqualTo(63));
        Assert.That(QemuInputs().Count(), Is.EqualTo(314));
        Assert.That(qemuVerdicts.Where(g => g.Select(r => r[7]).Distinct().Count() != 1).Select(g => g.Key), Is.Empty);
        Assert.That(Corpus.Manifest("generic-manifest.tsv").Count(r => r[5] == "no"), Is.EqualTo(1));
        Assert.That(qemuVerdicts.Count(g => g.First()[7] == "no"), Is.EqualTo(8));
    }

    [Test]
    public void Validate_NotWellFormed_IsInvalidWithParserError()
    {
        var result = CorpusValidator().Validate("<domain type='kvm'>\n  <name>demo</nam>\n</domain>\n", "broken.xml");

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors, Is.Not.Empty);
        Assert.That(result.Errors[0], Does.StartWith("broken.xml:2:"));
    }

    [TestCase("")]
    [TestCase("not xml at all")]
    [TestCase("<domain")]
    public void Validate_GarbageText_IsInvalidWithError(string text)
    {
        var result = CorpusValidator().Validate(text, null);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors, Is.Not.Empty);
        Assert.That(result.Errors, Has.All.StartWith("(input)"));
    }

    [Test]
    public void Validate_SchemaViolation_ReportsLibxml2MessageWithLine()
    {
        string text = MinimalDomain.Replace("  </os>\n", "  </os>\n  <vcpu placement='everywhere'>2</vcpu>\n");

        var result = CorpusValidator().Validate(text, "bad.xml");

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors, Has.Some.Matches(@"^bad\.xml:\d+: "));
        Assert.That(result.Errors, Has.Some.Contains("vcpu"));
    }

    [Test]
    public void Validate_MinimalDomainAgainstCorpusSchema_IsValid()
    {
        var result = CorpusValidator().Validate(MinimalDomain, null);

        Assert.That(result.IsValid, Is.True, () => string.Join(Environment.NewLine, result.Errors));
        Assert.That(result.Errors, Is.Empty);
    }

    [Test]
    public void Validate_CalledAgainAfterInvalidDocument_GivesSameVerdicts()
    {
        var validator = CorpusValidator();

        var first = validator.Validate(MinimalDomain, null);
        var invalid = validator.Validate("<domain/>", null);
        var again = validator.Validate(MinimalDomain, null);

        Assert.That(first.IsValid, Is.True);
        Assert.That(invalid.IsValid, Is.False);
        Assert.That(again.IsValid, Is.True);
        Assert.That(again.Errors, Is.Empty);
    }

    [Test]
    public void Validate_ManyThreadsAtOnce_AllGetTheirOwnVerdict()
    {
        var validator = CorpusValidator();

        var results = Enumerable.Range(0, 64).AsParallel().WithDegreeOfParallelism(8)
            .Select(i => (i, validator.Validate(i % 2 == 0 ? MinimalDomain : "<domain/>", $"doc{i}.xml")))
            .ToList();

        Assert.That(results.Where(r => r.Item2.IsValid != (r.i % 2 == 0)).Select(r => r.i), Is.Empty);
        Assert.That(results.Where(r => r.i % 2 == 1).SelectMany(r => r.Item2.Errors.Select(e => (r.i, e)))
            .Where(x => !x.e.StartsWith($"doc{x.i}.xml", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void Validate_ExternalEntitiesOnTheNetwork_AreNotFetched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string text =
            $"<!DOCTYPE domain SYSTEM 'http://127.0.0.1:{port}/domain.dtd' [\n" +
            $"  <!ENTITY % remote SYSTEM 'http://127.0.0.1:{port}/params.ent'>\n" +
            "  %remote;\n" +
            $"  <!ENTITY name SYSTEM 'http://127.0.0.1:{port}/name.txt'>\n" +
            "]>\n" +
            MinimalDomain.Replace("<name>demo</name>", "<name>&name;</name>");

        CorpusValidator().Validate(text, "remote.xml");

        Assert.That(listener.Pending(), Is.False);
    }

    [Test]
    public void Validate_ExternalFileEntity_IsNotExpanded()
    {
        string secret = Path.Combine(Path.GetTempPath(), $"kvm-schema-test-{Guid.NewGuid():N}.txt");
        File.WriteAllText(secret, "secret-marker-3141");
        try
        {
            string text =
                $"<!DOCTYPE domain [<!ENTITY leak SYSTEM 'file://{secret}'>]>\n" +
                MinimalDomain.Replace("<type arch='x86_64'>hvm</type>", "<type arch='x86_64'>&leak;</type>");

            var result = CorpusValidator().Validate(text, null);

            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Errors, Has.None.Contains("secret-marker-3141"));
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Test]
    [CancelAfter(10_000)]
    public void Validate_EntityExpansionBomb_IsInvalid()
    {
        var entities = new System.Text.StringBuilder("<!ENTITY e0 'aaaaaaaaaa'>");
        for (int i = 1; i <= 9; i++)
        {
            entities.Append($"<!ENTITY e{i} '{string.Concat(Enumerable.Repeat($"&e{i - 1};", 10))}'>");
        }

        string text = $"<!DOCTYPE domain [{entities}]>\n" + MinimalDomain.Replace("<name>demo</name>", "<name>&e9;</name>");

        var result = CorpusValidator().Validate(text, "bomb.xml");

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors, Is.Not.Empty);
    }

    [Test]
    public void Validate_AfterDispose_ThrowsObjectDisposed()
    {
        var validator = RelaxNgSchemaValidator.Open(Corpus.Path("schemas"));
        validator.Dispose();

        Assert.That(() => validator.Validate(MinimalDomain, null), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void Open_MissingSchemaDirectory_ThrowsOperationFailedNamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"kvm-no-schemas-{Guid.NewGuid():N}");

        var error = Assert.Throws<DomainXmlException>(() => RelaxNgSchemaValidator.Open(missing));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.OperationFailed));
        Assert.That(error.Message, Does.Contain(missing));
        Assert.That(error.Message, Does.Contain("domain.rng"));
        Assert.That(error.Message, Does.Contain("libvirt0"));
    }

    [Test]
    public void Open_SchemaThatDoesNotParse_ThrowsOperationFailedWithLibxml2Errors()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"kvm-bad-schemas-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "domain.rng"), "<grammar xmlns='http://relaxng.org/ns/structure/1.0'>\n<start>");

            var error = Assert.Throws<DomainXmlException>(() => RelaxNgSchemaValidator.Open(directory));

            Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.OperationFailed));
            Assert.That(error.Message, Does.Contain(Path.Combine(directory, "domain.rng") + ":"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Open_SystemSchemas_ValidateMinimalDomain()
    {
        if (!File.Exists(Path.Combine(RelaxNgSchemaValidator.SystemSchemaDirectory, RelaxNgSchemaValidator.SchemaFileName)))
        {
            Assert.Ignore($"{RelaxNgSchemaValidator.SystemSchemaDirectory} is absent: install Debian's libvirt0 package to run this test");
        }

        using var validator = RelaxNgSchemaValidator.Open(null);

        var valid = validator.Validate(MinimalDomain, null);
        var invalid = validator.Validate("<domain type='kvm'/>", null);

        Assert.That(validator.SchemaPath, Is.EqualTo("/usr/share/libvirt/schemas/domain.rng"));
        Assert.That(valid.IsValid, Is.True, () => string.Join(Environment.NewLine, valid.Errors));
        Assert.That(invalid.IsValid, Is.False);
    }

    [Test]
    public void XmlError_Size_MatchesLibxml2()
    {
        Assert.That(Unsafe.SizeOf<LibXml2.XmlError>(), Is.EqualTo(IntPtr.Size == 8 ? 88 : 52));
    }

    private RelaxNgSchemaValidator CorpusValidator() =>
        _corpusValidator ??= RelaxNgSchemaValidator.Open(Corpus.Path("schemas"));

    private static string Verdict(string column) => column == "yes" ? "IsValid" : "IsInvalid";

    private static string Name(string path) => Path.GetFileNameWithoutExtension(path).Replace('-', '_').Replace('.', '_');
}
