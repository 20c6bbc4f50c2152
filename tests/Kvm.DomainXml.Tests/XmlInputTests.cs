using System.Text;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Reading;
using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

/// <summary>Untrusted bytes to text as libxml2 takes them: strict UTF-8 and the size limit before reading.</summary>
public sealed class XmlInputTests
{
    [Test]
    public void Decode_ValidUtf8WithBom_TextWithoutBom()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("<domain><name>dömäne</name></domain>")];
        Assert.That(XmlInput.Decode(bytes, null), Is.EqualTo("<domain><name>dömäne</name></domain>"));
    }

    [TestCase(new byte[] { 0xFF }, "0xFF 0x3C 0x2F 0x6E")]                 // never valid in UTF-8
    [TestCase(new byte[] { 0xC3, 0x28 }, "0xC3 0x28 0x3C 0x2F")]           // a lead byte without its continuation
    [TestCase(new byte[] { 0xC0, 0xAF }, "0xC0 0xAF 0x3C 0x2F")]           // overlong '/'
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 }, "0xED 0xA0 0x80 0x3C")]     // an encoded surrogate
    public void Decode_InvalidSequence_RefusedWithLibxml2sMessageLineAndColumn(byte[] invalid, string shown)
    {
        byte[] bytes = [.. Encoding.ASCII.GetBytes("<domain>\n  <name>a"), .. invalid, .. Encoding.ASCII.GetBytes("</name>\n</domain>")];
        var e = Assert.Throws<DomainXmlException>(() => XmlInput.Decode(bytes, "bad.xml"));
        Assert.That(e!.Message, Is.EqualTo("Input is not proper UTF-8, indicate encoding !\nBytes: " + shown));
        Assert.That(e.Location, Is.EqualTo(new SourceLocation("bad.xml", 2, 10, string.Empty)));
    }

    [Test]
    public void Decode_TruncatedSequenceAtTheEnd_Refused() =>
        Assert.That(() => XmlInput.Decode([0x3C, 0xE2, 0x82], null), Throws.TypeOf<DomainXmlException>()
            .With.Message.EqualTo("Input is not proper UTF-8, indicate encoding !\nBytes: 0xE2 0x82"));

    [Test]
    public void ReadStream_EndlessInput_StopsOneByteAfterTheLimit()
    {
        var endless = new CountingEndlessStream();
        var limits = new DomainXmlLimits { MaxCharacters = 100_000 };
        Assert.That(() => XmlInput.ReadStream(endless, limits, "(stdin)"), Throws.TypeOf<DomainXmlException>()
            .With.Message.EqualTo("XML error: document is more than 100000 bytes long, the limit"));
        Assert.That(endless.Served, Is.EqualTo(100_001));
    }

    [Test]
    public void ReadFile_SparseFileOverTheLimit_RefusedFromItsLength()
    {
        string file = Path.Combine(Path.GetTempPath(), $"xmlinput-{Guid.NewGuid():N}.xml");
        using (var stream = File.Create(file))
        {
            stream.SetLength(1L << 30);
        }

        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.That(() => XmlInput.ReadFile(file, DomainXmlLimits.Default), Throws.TypeOf<DomainXmlException>()
                .With.Property(nameof(DomainXmlException.Kind)).EqualTo(DomainXmlErrorKind.InputRefused));
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1024 * 1024), "nothing of the file read");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void ReadFile_WithinTheLimit_Decoded()
    {
        string file = Path.Combine(Path.GetTempPath(), $"xmlinput-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, "<domain/>");
        try
        {
            Assert.That(XmlInput.ReadFile(file, DomainXmlLimits.Default), Is.EqualTo("<domain/>"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A stream that never ends ('a' forever), counting what it served.</summary>
    private sealed class CountingEndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'a');
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
