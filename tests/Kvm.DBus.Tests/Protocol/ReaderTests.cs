using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Protocol;

/// <summary>Reading the specification's bytes back, in both byte orders, and rejecting malformed values.</summary>
[TestFixture]
public sealed class ReaderTests
{
    [TestCase("y", "2a", "2a", "y:42")]
    [TestCase("b", "01000000", "00000001", "b:True")]
    [TestCase("n", "feff", "fffe", "n:-2")]
    [TestCase("q", "3412", "1234", "q:4660")]
    [TestCase("i", "04030201", "01020304", "i:16909060")]
    [TestCase("u", "efbeadde", "deadbeef", "u:3735928559")]
    [TestCase("x", "0807060504030201", "0102030405060708", "x:72623859790382856")]
    [TestCase("t", "1032547698badcfe", "fedcba9876543210", "t:18364758544493064720")]
    [TestCase("d", "000000000000f03f", "3ff0000000000000", "d:1")]
    [TestCase("s", "03000000666f6f00", "00000003666f6f00", "s:\"foo\"")]
    [TestCase("o", "040000002f612f6200", "000000042f612f6200", "o:\"/a/b\"")]
    [TestCase("g", "05617b73767d00", "05617b73767d00", "g:\"a{sv}\"")]
    [TestCase("h", "00000000", "00000000", "h:0")]
    [TestCase("ay", "03000000010203", "00000003010203", "ay[010203]")]
    [TestCase("at", "08000000000000000100000000000000", "00000008000000000000000000000001", "at[t:1]")]
    [TestCase("(yu)", "0100000002000000", "0100000000000002", "(yu)[y:1, u:2]")]
    [TestCase("a{sy}", "070000000000000001000000610001", "000000070000000000000001610001", "a{sy}[{sy}[s:\"a\", y:1]]")]
    [TestCase("v", "0175000007000000", "0175000000000007", "v[u:7]")]
    public void ReadValue_SpecificationBytes_BothByteOrders(string signature, string littleHex, string bigHex, string expected)
    {
        Assert.That(Read(signature, littleHex, bigEndian: false), Is.EqualTo(expected));
        Assert.That(Read(signature, bigHex, bigEndian: true), Is.EqualTo(expected));
    }

    [TestCase("b", "02000000", "Boolean other than 0 or 1")]
    [TestCase("s", "05000000666f6f00", "String length beyond the end of the data")]
    [TestCase("s", "64000000", "String length beyond the end of the data")]
    [TestCase("s", "00000000", "String length beyond the end of the data")]
    [TestCase("s", "03000000666f6f01", "String not terminated by NUL")]
    [TestCase("s", "02000000c3280000", "String with NUL or invalid UTF-8")]
    [TestCase("o", "02000000612f00", "Invalid object path")]
    [TestCase("g", "02282900", "Invalid signature")]
    [TestCase("u", "0102", "Truncated data")]
    [TestCase("(yu)", "0101000002000000", "Non-zero padding")]
    [TestCase("ay", "00000005", "Array longer than 64 MiB")]
    [TestCase("ay", "ffffff7f", "Array longer than 64 MiB")]
    [TestCase("ay", "10000000", "Array length beyond the end of the data")]
    [TestCase("au", "0300000001000000", "Array element overruns the array length")]
    [TestCase("v", "027575000000000000000000", "Variant signature is not a single complete type")]
    [TestCase("h", "01000000", "Unix fd index beyond the descriptors received")]
    public void ReadValue_Malformed_ThrowsReadException(string signature, string hex, string what)
    {
        Assert.That(() => Read(signature, hex, bigEndian: false),
            Throws.TypeOf<DBusReadException>().With.Property(nameof(DBusReadException.What)).EqualTo(what));
    }

    [Test]
    public void ReadVariant_NestedDeeperThan64_Throws()
    {
        byte[] data = new byte[65 * 3 + 8];
        for (int i = 0; i < 65; i++)
        {
            data[i * 3] = 1; data[i * 3 + 1] = (byte)'v'; data[i * 3 + 2] = 0;
        }
        Assert.That(() => new Reader(data, false).ReadVariant(),
            Throws.TypeOf<DBusReadException>().With.Property(nameof(DBusReadException.What)).EqualTo("Variants nested deeper than 64"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Collections_WrittenAndRead(bool bigEndian)
    {
        var writer = new MessageWriter(bigEndian);
        byte[] bytes;
        try
        {
            writer.WriteArray(["a", "bé", ""]);
            writer.WriteDictionaryOfStringToVariant([new("state", DBusValue.UInt32(1)), new("name", DBusValue.String("vm1"))]);
            bytes = writer.WrittenSpan.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
        var reader = new Reader(bytes, bigEndian);
        Assert.That(reader.ReadArrayOfString(), Is.EqualTo(new[] { "a", "bé", "" }));
        Dictionary<string, DBusValue> dict = reader.ReadDictionaryOfStringToVariant();
        Assert.That(dict, Is.EqualTo(new Dictionary<string, DBusValue> { ["state"] = DBusValue.UInt32(1), ["name"] = DBusValue.String("vm1") }));
        Assert.That(reader.IsAtEnd, Is.True);
    }

    private static string Read(string signature, string hex, bool bigEndian)
    {
        var reader = new Reader(Convert.FromHexString(hex), bigEndian, fdCount: 1);
        string result = reader.ReadValue(System.Text.Encoding.ASCII.GetBytes(signature)).ToString();
        Assert.That(reader.IsAtEnd, Is.True, "all bytes consumed");
        return result;
    }
}
