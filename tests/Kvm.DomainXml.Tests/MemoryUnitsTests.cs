using Kvm.DomainXml.Memory;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

[TestFixture]
public sealed class MemoryUnitsTests
{
    [TestCase(1024UL, "b", 1UL)]
    [TestCase(1025UL, "bytes", 2UL)]
    [TestCase(1000UL, "KB", 977UL)]
    [TestCase(1UL, "k", 1UL)]
    [TestCase(1UL, "KiB", 1UL)]
    [TestCase(1UL, "MB", 977UL)]
    [TestCase(1UL, "M", 1024UL)]
    [TestCase(1UL, "MiB", 1024UL)]
    [TestCase(1UL, "GB", 976563UL)]
    [TestCase(2UL, "G", 2097152UL)]
    [TestCase(1UL, "TiB", 1073741824UL)]
    [TestCase(1UL, "tb", 976562500UL)]
    [TestCase(219100UL, null, 219100UL)]
    public void TryToKiB_LibvirtUnits_RoundsUpToKiB(ulong value, string? unit, ulong expected)
    {
        Assert.That(MemoryUnits.TryToKiB(value, unit, out ulong kib, out string? error), Is.True, error);
        Assert.That(kib, Is.EqualTo(expected));
    }

    [TestCase("furlongs")]
    [TestCase("KX")]
    [TestCase("x")]
    public void TryToKiB_UnknownUnit_NamesTheSuffix(string unit)
    {
        Assert.That(MemoryUnits.TryToKiB(1, unit, out _, out string? error), Is.False);
        Assert.That(error, Is.EqualTo($"unknown suffix '{unit}'"));
    }

    [Test]
    public void TryToKiB_Overflow_IsAnError()
    {
        Assert.That(MemoryUnits.TryToKiB(ulong.MaxValue, "EiB", out _, out string? error), Is.False);
        Assert.That(error, Is.EqualTo("size value is too large"));
    }

    [Test]
    public void Parse_MemoryInGiB_IsWrittenInKiBWithCurrentMemoryDefault()
    {
        var document = DomainXmlParser.Parse(
            "<domain type='kvm'><name>m</name><memory unit='GiB'>2</memory><os><type>hvm</type></os></domain>");

        string xml = DomainXmlFormatter.Format(document);

        Assert.That(document.Definition.Memory.TotalKiB, Is.EqualTo(2097152));
        Assert.That(xml, Does.Contain("<memory unit='KiB'>2097152</memory>\n  <currentMemory unit='KiB'>2097152</currentMemory>"));
    }
}
