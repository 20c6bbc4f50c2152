using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class XdrReaderTests
{
    [TestCase("00000000", "")]
    [TestCase("0000000161000000", "a")]
    [TestCase("000000056162636465000000", "abcde")]
    public void ReadString_Encoded_ValueAndAllBytesConsumed(string hex, string expected)
    {
        var reader = new XdrReader(Convert.FromHexString(hex));
        Assert.That(reader.ReadString(), Is.EqualTo(expected));
        Assert.That(reader.Remaining, Is.Zero);
    }

    [TestCase("00000005616263")]          // shorter than its length
    [TestCase("0000000561626364650000")]  // padding cut short
    [TestCase("ffffffff")]                // a length that would wrap
    [TestCase("000000")]                  // not even a length
    public void ReadString_Truncated_Throws(string hex) =>
        Assert.That(() => new XdrReader(Convert.FromHexString(hex)).ReadString(), Throws.TypeOf<XdrException>());

    [Test]
    public void ReadString_OverLimit_ThrowsBeforeReadingBytes() =>
        Assert.That(() => new XdrReader(Convert.FromHexString("00000009")).ReadString(max: 8),
            Throws.TypeOf<XdrException>().With.Message.Contains("exceeds the limit 8"));

    [Test]
    public void ReadString_NonZeroPadding_Throws() =>
        Assert.That(() => new XdrReader(Convert.FromHexString("0000000161000100")).ReadString(), Throws.TypeOf<XdrException>());

    [TestCase("00000000", false)]
    [TestCase("00000001", true)]
    public void ReadBool_ZeroOrOne_Value(string hex, bool expected) =>
        Assert.That(new XdrReader(Convert.FromHexString(hex)).ReadBool(), Is.EqualTo(expected));

    [Test]
    public void ReadBool_Two_Throws() =>
        Assert.That(() => new XdrReader(Convert.FromHexString("00000002")).ReadBool(), Throws.TypeOf<XdrException>());

    [Test]
    public void ReadArrayCount_HugeCount_ThrowsBeforeAllocating()
    {
        Assert.That(() => new XdrReader(Convert.FromHexString("7fffffff")).ReadArrayCount(RpcLimits.MaxDomainList), Throws.TypeOf<XdrException>());
        // Under the limit but more elements than bytes left: refused too.
        Assert.That(() => new XdrReader(Convert.FromHexString("00000010" + "00000000")).ReadArrayCount(RpcLimits.MaxDomainList), Throws.TypeOf<XdrException>());
    }

    [Test]
    public void ReadNumbers_BigEndian_Values()
    {
        var reader = new XdrReader(Convert.FromHexString("fffffffe" + "20008086" + "0102030405060708" + "ffffffffffffffff"));
        Assert.That(reader.ReadInt32(), Is.EqualTo(-2));
        Assert.That(reader.ReadUInt32(), Is.EqualTo(0x20008086u));
        Assert.That(reader.ReadUInt64(), Is.EqualTo(0x0102030405060708ul));
        Assert.That(reader.ReadInt64(), Is.EqualTo(-1L));
        Assert.That(reader.Remaining, Is.Zero);
    }

    [Test]
    public void EnsureEnd_TrailingBytes_Throws()
    {
        byte[] data = Convert.FromHexString("0000000100000002");
        Assert.That(() =>
        {
            var reader = new XdrReader(data);
            reader.ReadInt32();
            reader.EnsureEnd();
        }, Throws.TypeOf<XdrException>());
    }
}
