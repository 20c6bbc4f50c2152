using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Protocol;

/// <summary>Byte-exact marshalling of every type in both byte orders, expected bytes written from the specification.</summary>
[TestFixture]
public sealed class MessageWriterTests
{
    private delegate void Write(ref MessageWriter writer);

    private static readonly Dictionary<string, Write> s_writes = new()
    {
        ["y 0x2a"] = (ref MessageWriter w) => w.WriteByte(0x2a),
        ["b true"] = (ref MessageWriter w) => w.WriteBool(true),
        ["n -2"] = (ref MessageWriter w) => w.WriteInt16(-2),
        ["q 0x1234"] = (ref MessageWriter w) => w.WriteUInt16(0x1234),
        ["i 0x01020304"] = (ref MessageWriter w) => w.WriteInt32(0x01020304),
        ["u 0xdeadbeef"] = (ref MessageWriter w) => w.WriteUInt32(0xdeadbeef),
        ["x 0x0102030405060708"] = (ref MessageWriter w) => w.WriteInt64(0x0102030405060708),
        ["t max"] = (ref MessageWriter w) => w.WriteUInt64(0xfedcba9876543210),
        ["d 1.0"] = (ref MessageWriter w) => w.WriteDouble(1.0),
        ["s foo"] = (ref MessageWriter w) => w.WriteString("foo"),
        ["s empty"] = (ref MessageWriter w) => w.WriteString(""),
        ["s é"] = (ref MessageWriter w) => w.WriteString("é"),
        ["o /a/b"] = (ref MessageWriter w) => w.WriteObjectPath("/a/b"),
        ["g a{sv}"] = (ref MessageWriter w) => w.WriteSignature("a{sv}"),
        ["h 0"] = (ref MessageWriter w) => w.WriteHandle(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false)),
        ["ay 1 2 3"] = (ref MessageWriter w) =>
        {
            ArrayStart a = w.WriteArrayStart(DBusType.Byte);
            w.WriteByte(1); w.WriteByte(2); w.WriteByte(3);
            w.WriteArrayEnd(a);
        },
        ["at 1"] = (ref MessageWriter w) =>
        {
            ArrayStart a = w.WriteArrayStart(DBusType.UInt64);
            w.WriteUInt64(1);
            w.WriteArrayEnd(a);
        },
        ["at empty"] = (ref MessageWriter w) => w.WriteArrayEnd(w.WriteArrayStart(DBusType.UInt64)),
        ["(yu) 1 2"] = (ref MessageWriter w) => { w.WriteStructStart(); w.WriteByte(1); w.WriteUInt32(2); },
        ["a{sy} a=1"] = (ref MessageWriter w) =>
        {
            ArrayStart a = w.WriteArrayStart(DBusType.DictEntry);
            w.WriteDictEntryStart(); w.WriteString("a"); w.WriteByte(1);
            w.WriteArrayEnd(a);
        },
        ["v u 7"] = (ref MessageWriter w) => w.WriteVariantUInt32(7),
        ["y x after byte"] = (ref MessageWriter w) => { w.WriteByte(1); w.WriteInt64(2); },
        ["y q after byte"] = (ref MessageWriter w) => { w.WriteByte(1); w.WriteUInt16(2); },
    };

    [TestCase("y 0x2a", "2a", "2a")]
    [TestCase("b true", "01000000", "00000001")]
    [TestCase("n -2", "feff", "fffe")]
    [TestCase("q 0x1234", "3412", "1234")]
    [TestCase("i 0x01020304", "04030201", "01020304")]
    [TestCase("u 0xdeadbeef", "efbeadde", "deadbeef")]
    [TestCase("x 0x0102030405060708", "0807060504030201", "0102030405060708")]
    [TestCase("t max", "1032547698badcfe", "fedcba9876543210")]
    [TestCase("d 1.0", "000000000000f03f", "3ff0000000000000")]
    [TestCase("s foo", "03000000666f6f00", "00000003666f6f00")]
    [TestCase("s empty", "0000000000", "0000000000")]
    [TestCase("s é", "02000000c3a900", "00000002c3a900")]
    [TestCase("o /a/b", "040000002f612f6200", "000000042f612f6200")]
    [TestCase("g a{sv}", "05617b73767d00", "05617b73767d00")]
    [TestCase("h 0", "00000000", "00000000")]
    [TestCase("ay 1 2 3", "03000000010203", "00000003010203")]
    [TestCase("at 1", "08000000000000000100000000000000", "00000008000000000000000000000001")]
    [TestCase("at empty", "0000000000000000", "0000000000000000")]
    [TestCase("(yu) 1 2", "0100000002000000", "0100000000000002")]
    [TestCase("a{sy} a=1", "070000000000000001000000610001", "000000070000000000000001610001")]
    [TestCase("v u 7", "0175000007000000", "0175000000000007")]
    [TestCase("y x after byte", "01000000000000000200000000000000", "01000000000000000000000000000002")]
    [TestCase("y q after byte", "01000200", "01000002")]
    public void Write_EachType_MatchesSpecificationBytes(string name, string littleHex, string bigHex)
    {
        Assert.That(WriteHex(name, bigEndian: false), Is.EqualTo(littleHex));
        Assert.That(WriteHex(name, bigEndian: true), Is.EqualTo(bigHex));
    }

    [Test]
    public void CreateMessage_MethodCall_MatchesSpecificationBytes()
    {
        var writer = new MessageWriter();
        writer.WriteMethodCallHeader(null, "/", null, "P");
        using MessageBuffer message = writer.CreateMessage();
        message.SetSerial(1);
        string expected =
            "6c010001" + "00000000" + "01000000" + "1a000000"   // l, METHOD_CALL, no flags, v1, body 0, serial 1, fields 26
            + "01016f00" + "01000000" + "2f00" + "000000000000" // PATH 'o' "/" then padding to 8
            + "03017300" + "01000000" + "5000" + "000000000000"; // MEMBER 's' "P" then padding to 8
        Assert.That(Convert.ToHexStringLower(message.Data.Span), Is.EqualTo(expected));
    }

    [Test]
    public void CreateMessage_BigEndianSignalWithBody_RoundTripsThroughParse()
    {
        var writer = new MessageWriter(bigEndian: true);
        writer.WriteSignalHeader(null, "/org/x", "org.x.Iface", "Changed", "su");
        writer.WriteString("hello");
        writer.WriteUInt32(42);
        using MessageBuffer buffer = writer.CreateMessage();
        buffer.SetSerial(7);
        Assert.That(buffer.Data.Span[0], Is.EqualTo((byte)'B'));

        using Message message = Message.Parse(buffer.Data.ToArray());
        Reader reader = message.GetBodyReader();
        Assert.That((message.Type, message.Serial, message.Path, message.Interface, message.Member, message.Signature),
            Is.EqualTo((MessageType.Signal, 7u, "/org/x", "org.x.Iface", "Changed", "su")));
        Assert.That(reader.ReadString(), Is.EqualTo("hello"));
        Assert.That(reader.ReadUInt32(), Is.EqualTo(42u));
        Assert.That(reader.IsAtEnd, Is.True);
    }

    [Test]
    public void WriteString_WithNul_Throws()
    {
        Assert.That(() =>
        {
            var w = new MessageWriter();
            try { w.WriteString("a\0b"); } finally { w.Dispose(); }
        }, Throws.ArgumentException);
    }

    [Test]
    public void WriteMethodCallHeader_InvalidPath_Throws()
    {
        Assert.That(() =>
        {
            var w = new MessageWriter();
            try { w.WriteMethodCallHeader(null, "/a//b", null, "M"); } finally { w.Dispose(); }
        }, Throws.ArgumentException);
    }

    [Test]
    public void WriteArrayEnd_Over64MiB_ThrowsDBusException()
    {
        byte[] chunk = new byte[1024 * 1024];
        Assert.That(() =>
        {
            var writer = new MessageWriter();
            try
            {
                ArrayStart start = writer.WriteArrayStart(DBusType.Array); // aay
                for (int i = 0; i <= 64; i++)
                {
                    writer.WriteValue(DBusValue.ByteArray(chunk)); // 65 elements of 1 MiB: over 64 MiB
                }
                writer.WriteArrayEnd(start);
            }
            finally
            {
                writer.Dispose();
            }
        }, Throws.TypeOf<DBusException>().With.Message.Contains("exceeds the 64 MiB limit"));
    }

    [TestCase("s", "u", "Body does not match signature 's'")]
    [TestCase("i", "", "Body does not match signature 'i'")]
    [TestCase("", "u", "Body does not match signature '': 4 bytes left over")]
    [TestCase("ai", "i", "Body does not match signature 'ai'")]
    public void CreateMessage_BodyNotMatchingSignature_ThrowsDBusException(string signature, string written, string message)
    {
        Assert.That(() =>
        {
            var writer = new MessageWriter();
            writer.WriteMethodCallHeader(null, "/", null, "M", signature);
            if (written == "u") { writer.WriteUInt32(123456); }
            if (written == "i") { writer.WriteInt32(1); }
            writer.CreateMessage().Dispose();
        }, Throws.TypeOf<DBusException>().With.Message.EqualTo(message));
    }

    private static string WriteHex(string name, bool bigEndian)
    {
        var writer = new MessageWriter(bigEndian);
        try
        {
            s_writes[name](ref writer);
            return Convert.ToHexStringLower(writer.WrittenSpan);
        }
        finally
        {
            writer.Dispose();
        }
    }
}
