using Kvm.DomainXml.Errors;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

/// <summary>xml-samples/: each sample formats to its .out.xml (libvirt's xml2xml shape), and formatting is stable.</summary>
[TestFixture]
public sealed class SamplesTests
{
    private static readonly string s_samples = Path.Combine(Corpus.RepositoryRoot, "xml-samples");

    public static IEnumerable<string> Samples() =>
        Directory.GetFiles(Path.Combine(Corpus.RepositoryRoot, "xml-samples"), "*.xml")
            .Where(f => !f.EndsWith(".out.xml", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .Order()!;

    [TestCaseSource(nameof(Samples))]
    public void Format_Sample_EqualsOutFile(string name)
    {
        string input = Path.Combine(s_samples, name + ".xml");
        var document = DomainXmlParser.Parse(File.ReadAllText(input), input, DomainParseFlags.Inactive);

        string output = DomainXmlFormatter.Format(document);

        Assert.That(output, Is.EqualTo(File.ReadAllText(Path.Combine(s_samples, name + ".out.xml"))));
        var again = DomainXmlParser.Parse(output, name, DomainParseFlags.Inactive);
        Assert.That(DomainXmlFormatter.Format(again), Is.EqualTo(output));
    }

    [Test]
    public void Samples_IncludeTheThreeTheReadmeNames()
    {
        Assert.That(Samples(), Is.SupersetOf(new[] { "minimal-linux", "virtio-disk-net-serial", "full" }));
    }

    [Test]
    public void Parse_UnknownMemoryUnit_ReportsUnitAttributeAndLine()
    {
        string file = Path.Combine(s_samples, "invalid", "memory-unknown-unit.xml");

        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(File.ReadAllText(file), file));

        Assert.That(error!.Kind, Is.EqualTo(DomainXmlErrorKind.InvalidArgument));
        Assert.That(error.Message, Is.EqualTo("invalid argument: unknown suffix 'furlongs'"));
        Assert.That(error.Location!.Value.Path, Is.EqualTo("/domain/memory/@unit"));
        Assert.That(error.Location.Value.Line, Is.EqualTo(3));
        Assert.That(error.ToUserMessage(), Does.StartWith(file + ":3:"));
    }

    [Test]
    public void Parse_TcpSerialWithoutHost_ReportsSecondSerial()
    {
        string file = Path.Combine(s_samples, "invalid", "serial-tcp-missing-host.xml");

        var error = Assert.Throws<DomainXmlException>(() => DomainXmlParser.Parse(File.ReadAllText(file), file));

        Assert.That(error!.Message, Is.EqualTo("internal error: Missing source host attribute for char device"));
        Assert.That(error.Location!.Value.Path, Is.EqualTo("/domain/devices/serial[2]"));
        Assert.That(error.Location.Value.Line, Is.EqualTo(9));
    }
}
