using NUnit.Framework;

namespace Kvm.Driver.Tests;

/// <summary><c>kvmctl xml format|validate</c> and the three executables' <c>--help</c>, run as processes.</summary>
[TestFixture]
public sealed class KvmctlXmlTests
{
    private static string Sample(string name) => Path.Combine(Executable.RepositoryRoot, "xml-samples", name);

    [TestCase("Kvm.Kvmctl", "kvmctl", "xml")]
    [TestCase("Kvm.Kvmd", "kvmd", "--system")]
    [TestCase("Kvm.Vmm", "kvm-vmm", "--qmp")]
    public void Help_EachExecutable_DescribesItsOptions(string project, string name, string expected)
    {
        var result = Executable.Of(project, name).Run(null, "--help");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain(expected));
    }

    [Test]
    public void Format_Sample_PrintsCanonicalXml()
    {
        var result = Executable.Kvmctl.Run(null, "xml", "format", "--inactive", Sample("virtio-disk-net-serial.xml"));

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Is.EqualTo(File.ReadAllText(Sample("virtio-disk-net-serial.out.xml"))));
    }

    [Test]
    public void Format_StandardInput_IsRead()
    {
        var result = Executable.Kvmctl.Run(File.ReadAllText(Sample("minimal-linux.xml")), "xml", "format", "--inactive", "-");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Is.EqualTo(File.ReadAllText(Sample("minimal-linux.out.xml"))));
    }

    [Test]
    public void Format_RejectedInput_PrintsLocationAndFailsWithNothingOnStdout()
    {
        string file = Sample("invalid/serial-tcp-missing-host.xml");

        var result = Executable.Kvmctl.Run(null, "xml", "format", file);

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.Stderr, Does.Contain(file + ":9:"));
        Assert.That(result.Stderr, Does.Contain("/domain/devices/serial[2]"));
        Assert.That(result.Stderr, Does.Contain("internal error: Missing source host attribute for char device"));
    }

    [Test]
    public void Format_InvalidUtf8_RefusedWithLibxml2sMessageNotReplaced()
    {
        string file = Path.Combine(Path.GetTempPath(), $"kvmctl-utf8-{Guid.NewGuid():N}.xml");
        byte[] xml = System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(Sample("minimal-linux.xml")));
        int at = Array.IndexOf(xml, (byte)'<', Array.IndexOf(xml, (byte)'>') + 1);  // the second line's first tag
        byte[] bad = [.. xml[..at], 0xC3, 0x28, .. xml[at..]];                    // 0xC3 wants a continuation byte
        File.WriteAllBytes(file, bad);
        try
        {
            var result = Executable.Kvmctl.Run(null, "xml", "format", file);
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(result.Stderr, Does.Contain("Input is not proper UTF-8, indicate encoding !\nBytes: 0xC3 0x28"));
            Assert.That(result.Stderr, Does.StartWith($"kvmctl: {file}:2:"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Format_FileOverTheLimit_RefusedWithoutReadingIt()
    {
        // A sparse 200 MiB file: refused from its size, so kvmctl's memory stays small (checked by the benchmark script).
        string file = Path.Combine(Path.GetTempPath(), $"kvmctl-big-{Guid.NewGuid():N}.xml");
        using (var stream = File.Create(file))
        {
            stream.SetLength(200L * 1024 * 1024);
        }

        try
        {
            var result = Executable.Kvmctl.Run(null, "xml", "format", file);
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.Contain("XML error: document is more than 10485760 bytes long, the limit"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Validate_ValidAndInvalid_ExitCodesDiffer()
    {
        var good = Executable.Kvmctl.Run(null, "xml", "validate", Sample("full.xml"));
        var bad = Executable.Kvmctl.Run(null, "xml", "validate", Sample("invalid/memory-unknown-unit.xml"));

        Assert.That(good.ExitCode, Is.EqualTo(0), good.Stderr);
        Assert.That(bad.ExitCode, Is.Not.EqualTo(0));
        Assert.That(bad.Stderr, Does.Contain("unknown suffix 'furlongs'"));
    }

    [Test]
    public void Format_MissingFile_SaysSo()
    {
        var result = Executable.Kvmctl.Run(null, "xml", "format", "/nonexistent/domain.xml");

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(result.Stderr, Does.Contain("cannot read /nonexistent/domain.xml"));
    }

    [Test]
    public void Validate_WithSchemaDirectory_ReportsSchemaErrors()
    {
        string schemas = Path.GetFullPath(Path.Combine(Executable.RepositoryRoot, "..", "shared", "corpus", "libvirt-domain-xml", "schemas"));
        if (!Directory.Exists(schemas))
        {
            Assert.Ignore("libvirt's schemas from ../shared/corpus are not beside this clone");
        }

        string bad = Path.Combine(Path.GetTempPath(), $"kvmctl-schema-{Guid.NewGuid():N}.xml");
        File.WriteAllText(bad, File.ReadAllText(Sample("minimal-linux.xml")).Replace("<vcpu>1</vcpu>", "<vcpu>1</vcpu><bogus/>"));
        try
        {
            var good = Executable.Kvmctl.Run(null, "xml", "validate", "--schema=" + schemas, Sample("full.xml"));
            var rejected = Executable.Kvmctl.Run(null, "xml", "validate", "--schema", schemas, bad);

            Assert.That(good.ExitCode, Is.EqualTo(0), good.Stderr);
            Assert.That(rejected.ExitCode, Is.Not.EqualTo(0));
            Assert.That(rejected.Stderr, Does.Contain("failed to validate against schema"));
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Test]
    public void Validate_WithMissingSchemaDirectory_SaysWhatToInstall()
    {
        var result = Executable.Kvmctl.Run(null, "xml", "validate", "--schema=/nonexistent/schemas", Sample("full.xml"));

        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(result.Stderr, Does.Contain("libvirt0"));
    }
}
