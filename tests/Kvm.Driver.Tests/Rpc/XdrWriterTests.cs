using System.Buffers;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class XdrWriterTests
{
    [TestCase("", "00000000")]
    [TestCase("a", "0000000161000000")]
    [TestCase("abcd", "0000000461626364")]
    [TestCase("abcde", "000000056162636465000000")]
    [TestCase("é", "00000002c3a90000")]
    public void WriteString_Value_LengthBytesAndZeroPadding(string value, string expected) =>
        Assert.That(Hex((ref XdrWriter w) => w.WriteString(value)), Is.EqualTo(expected));

    [TestCase(null, "00000000")]
    [TestCase("ab", "000000010000000261620000")]
    public void WriteOptionalString_Value_PointerThenString(string? value, string expected) =>
        Assert.That(Hex((ref XdrWriter w) => w.WriteOptionalString(value)), Is.EqualTo(expected));

    [Test]
    public void WriteNumbers_Values_BigEndianUnits() =>
        Assert.That(Hex((ref XdrWriter w) =>
        {
            w.WriteInt32(-2);
            w.WriteUInt32(0x20008086);
            w.WriteUInt64(0x0102030405060708);
            w.WriteInt64(-1);
            w.WriteBool(true);
        }), Is.EqualTo("fffffffe" + "20008086" + "0102030405060708" + "ffffffffffffffff" + "00000001"));

    [Test]
    public void WriteOpaque_OverLimit_Throws()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.That(() =>
        {
            var writer = new XdrWriter(buffer);
            writer.WriteOpaque(new byte[5], 4);
        }, Throws.TypeOf<XdrException>());
    }

    [Test]
    public void WriteArrayCount_OverLimit_Throws()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.That(() =>
        {
            var writer = new XdrWriter(buffer);
            writer.WriteArrayCount(RpcLimits.MaxDomainList + 1, RpcLimits.MaxDomainList);
        }, Throws.TypeOf<XdrException>());
    }

    internal delegate void Write(ref XdrWriter writer);

    internal static string Hex(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new XdrWriter(buffer);
        write(ref writer);
        Assert.That(writer.Written, Is.EqualTo(buffer.WrittenCount));
        return Convert.ToHexStringLower(buffer.WrittenSpan);
    }
}
