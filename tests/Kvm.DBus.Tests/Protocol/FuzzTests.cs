using System.Diagnostics;
using System.Text;
using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Protocol;

/// <summary>
/// Truncated, corrupted and oversized messages: parsing and reading the whole body either succeeds or throws
/// <see cref="DBusReadException"/>; never another exception, a hang or a large allocation. Fixed seeds.
/// </summary>
[TestFixture]
public sealed class FuzzTests
{
    [Test]
    public void Parse_EveryTruncation_OnlyReadExceptions()
    {
        byte[] seed = SampleMessage(bigEndian: false);
        for (int length = 0; length < seed.Length; length++)
        {
            Assert.That(Outcome(seed.AsSpan(0, length).ToArray()), Is.EqualTo("read-exception"), $"length {length}");
        }
        Assert.That(Outcome(seed), Is.EqualTo("ok"));
    }

    [TestCase(1, false)]
    [TestCase(2, true)]
    [TestCase(3, false)]
    public void Parse_RandomCorruption_OnlyReadExceptionsOrSuccess(int seed, bool bigEndian)
    {
        var random = new Random(seed);
        byte[] original = SampleMessage(bigEndian);
        var stopwatch = Stopwatch.StartNew();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int failures = 0;
        for (int iteration = 0; iteration < 20000; iteration++)
        {
            byte[] data = (byte[])original.Clone();
            int flips = random.Next(1, 6);
            for (int i = 0; i < flips; i++)
            {
                int at = random.Next(data.Length);
                data[at] = random.Next(4) switch
                {
                    0 => 0,
                    1 => 0xff,
                    2 => (byte)random.Next(256),
                    _ => (byte)(data[at] ^ (1 << random.Next(8))),
                };
            }
            string outcome = Outcome(data);
            Assert.That(outcome, Is.EqualTo("ok").Or.EqualTo("read-exception"), $"iteration {iteration}: {Convert.ToHexString(data)}");
            failures += outcome == "ok" ? 0 : 1;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.That(failures, Is.GreaterThan(1000), "corruption is detected");
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
        Assert.That(allocated / 20000, Is.LessThan(64 * 1024), "bytes allocated per iteration stay small");
    }

    [TestCase(11, false)]
    [TestCase(12, true)]
    public void ReadValues_TruncatedOrCorruptedBody_OnlyReadExceptions(int seed, bool bigEndian)
    {
        using Message message = Message.Parse(SampleMessage(bigEndian));
        byte[] body = message.Body.ToArray();
        byte[] signature = Encoding.ASCII.GetBytes(message.Signature);
        for (int length = 0; length <= body.Length; length++)
        {
            string outcome = BodyOutcome(body.AsSpan(0, length).ToArray(), signature, bigEndian);
            Assert.That(outcome, Is.EqualTo(length == body.Length ? "ok" : "read-exception"), $"length {length}");
        }
        var random = new Random(seed);
        for (int iteration = 0; iteration < 20000; iteration++)
        {
            byte[] data = (byte[])body.Clone();
            for (int i = random.Next(1, 4); i > 0; i--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }
            int cut = random.Next(4) == 0 ? random.Next(data.Length) : data.Length;
            string outcome = BodyOutcome(data.AsSpan(0, cut).ToArray(), signature, bigEndian);
            Assert.That(outcome, Is.EqualTo("ok").Or.EqualTo("read-exception"), $"iteration {iteration}: {Convert.ToHexString(data, 0, cut)}");
        }
    }

    [Test]
    public void ReadValue_CorruptedRandomValues_OnlyReadExceptions()
    {
        var random = new Random(21);
        var cases = FsCheck.Fluent.Gen.Sample(DBusValueGen.Case(), 400, new FsCheck.Rnd(21UL, 0x9E3779B97F4A7C15UL), 10).ToList();
        Assert.That(cases, Has.Count.EqualTo(400));
        foreach ((DBusValue value, _, bool bigEndian) in cases)
        {
            var writer = new MessageWriter(bigEndian);
            byte[] bytes;
            try
            {
                writer.WriteValue(value);
                bytes = writer.WrittenSpan.ToArray();
            }
            finally
            {
                writer.Dispose();
            }
            byte[] signature = Encoding.ASCII.GetBytes(value.Signature);
            for (int iteration = 0; iteration < 50 && bytes.Length > 0; iteration++)
            {
                byte[] data = (byte[])bytes.Clone();
                data[random.Next(data.Length)] = (byte)random.Next(256);
                int cut = random.Next(3) == 0 ? random.Next(data.Length) : data.Length;
                string outcome = BodyOutcome(data.AsSpan(0, cut).ToArray(), signature, bigEndian);
                Assert.That(outcome, Is.EqualTo("ok").Or.EqualTo("read-exception"), $"{value.Signature}: {Convert.ToHexString(data, 0, cut)}");
            }
        }
    }

    // Reads, and skips, the body: both must agree on whether it is valid.
    private static string BodyOutcome(byte[] body, byte[] signature, bool bigEndian)
    {
        string read = BodyOutcome(body, signature, bigEndian, skip: false);
        string skipped = BodyOutcome(body, signature, bigEndian, skip: true);
        return read == skipped ? read : $"read: {read}, skip: {skipped}";
    }

    private static string BodyOutcome(byte[] body, byte[] signature, bool bigEndian, bool skip)
    {
        try
        {
            var reader = new Reader(body, bigEndian);
            if (skip)
            {
                reader.SkipValues(signature);
            }
            else
            {
                reader.ReadValues(signature);
            }
            return reader.IsAtEnd ? "ok" : "read-exception";
        }
        catch (DBusReadException)
        {
            return "read-exception";
        }
        catch (Exception e)
        {
            return e.ToString();
        }
    }

    [TestCase("6c01000100000008010000001000000000000000", "Message longer than 128 MiB")]
    [TestCase("6c010001ffffffff0100000010000000", "Message longer than 128 MiB")]
    [TestCase("6c010001000000000100000000000005", "Header field array longer than 64 MiB")]
    [TestCase("7801000100000000010000000000000", "Unknown byte order mark")]
    [TestCase("6c010002000000000100000000000000", "Unsupported protocol version")]
    public void TryGetFrameLength_OversizedOrBad_ThrowsBeforeAllocating(string hex, string what)
    {
        byte[] prefix = Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0");
        Assert.That(() => Message.TryGetFrameLength(prefix, out _),
            Throws.TypeOf<DBusReadException>().With.Property(nameof(DBusReadException.What)).EqualTo(what));
    }

    [Test]
    public void Parse_ArrayLengthHuge_ThrowsWithoutAllocating()
    {
        var writer = new MessageWriter();
        writer.WriteMethodCallHeader(null, "/", null, "M", "ay");
        writer.WriteArrayEnd(writer.WriteArrayStart(DBusType.Byte));
        using MessageBuffer buffer = writer.CreateMessage();
        buffer.SetSerial(1);
        byte[] data = buffer.Data.ToArray();
        data[^4] = 0xff; data[^3] = 0xff; data[^2] = 0xff; data[^1] = 0x03; // 0x03ffffff: under 64 MiB, beyond the data
        using Message message = Message.Parse(data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(() => message.GetBodyReader().ReadValues("ay"u8),
            Throws.TypeOf<DBusReadException>().With.Property(nameof(DBusReadException.What)).EqualTo("Array length beyond the end of the data"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(64 * 1024));
    }

    private static string Outcome(byte[] data)
    {
        try
        {
            if (!Message.TryGetFrameLength(data, out int length) || length != data.Length)
            {
                // A stream reader would wait for more bytes or reject; a lone frame must parse exactly.
                Message.Parse(data).Dispose();
                return "ok";
            }
            using Message message = Message.Parse(data);
            Reader reader = new(message.Body, message.IsBigEndian, message.UnixFdCount);
            reader.ReadValues(Encoding.ASCII.GetBytes(message.Signature));
            return "ok";
        }
        catch (DBusReadException)
        {
            return "read-exception";
        }
        catch (Exception e)
        {
            return e.ToString();
        }
    }

    private static byte[] SampleMessage(bool bigEndian)
    {
        var writer = new MessageWriter(bigEndian);
        writer.WriteMethodCallHeader("org.libvirt", "/org/libvirt/QEMU/domain/_1", "org.freedesktop.DBus.Properties", "GetAll", "sa{sv}a(iv)vas");
        writer.WriteString("org.libvirt.Domain");
        ArrayStart dict = writer.WriteArrayStart(DBusType.DictEntry);
        for (int i = 0; i < 4; i++)
        {
            writer.WriteDictEntryStart();
            writer.WriteString($"key{i}");
            if (i % 2 == 0) { writer.WriteVariantUInt64((ulong)i); } else { writer.WriteVariantString("é€"); }
        }
        writer.WriteArrayEnd(dict);
        ArrayStart structs = writer.WriteArrayStart(DBusType.Struct);
        writer.WriteStructStart();
        writer.WriteInt32(-1);
        writer.WriteVariant(DBusValue.Variant(DBusValue.Struct(DBusValue.Byte(1), DBusValue.Double(2.5))));
        writer.WriteArrayEnd(structs);
        writer.WriteVariant(DBusValue.Array("s", [DBusValue.String("x"), DBusValue.String("y")]));
        ArrayStart strings = writer.WriteArrayStart(DBusType.String);
        writer.WriteString("a");
        writer.WriteArrayEnd(strings);
        using MessageBuffer buffer = writer.CreateMessage();
        buffer.SetSerial(3);
        return buffer.Data.ToArray();
    }
}
