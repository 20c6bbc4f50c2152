using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Protocol;

/// <summary>Random signatures and values survive write → read unchanged, at every starting alignment and in both byte orders.</summary>
[TestFixture]
public sealed class RoundTripPropertyTests
{
    [Test]
    public void WriteThenRead_RandomValue_Equal()
    {
        Property property = Prop.ForAll(DBusValueGen.Case().ToArbitrary(), c =>
        {
            var writer = new MessageWriter(c.BigEndian);
            byte[] bytes;
            try
            {
                for (int i = 0; i < c.Shift; i++)
                {
                    writer.WriteByte(0xa5);
                }
                writer.WriteValue(c.Value);
                bytes = writer.WrittenSpan.ToArray();
            }
            finally
            {
                writer.Dispose();
            }
            var reader = new Reader(bytes, c.BigEndian, fdCount: 4);
            for (int i = 0; i < c.Shift; i++)
            {
                reader.ReadByte();
            }
            DBusValue read = reader.ReadValue(Encoding.ASCII.GetBytes(c.Value.Signature));
            Assert.That(read, Is.EqualTo(c.Value), $"shift {c.Shift} big {c.BigEndian}");
            Assert.That(reader.IsAtEnd, Is.True);
            var skipper = new Reader(bytes, c.BigEndian, fdCount: 4);
            for (int i = 0; i < c.Shift; i++)
            {
                skipper.ReadByte();
            }
            skipper.SkipValue(Encoding.ASCII.GetBytes(c.Value.Signature));
            Assert.That(skipper.Offset, Is.EqualTo(bytes.Length), "SkipValue covers what ReadValue reads");
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property);
    }

    [Test]
    public void Signature_Generated_IsValid()
    {
        Property property = Prop.ForAll(DBusValueGen.Signature(4).ToArbitrary(), s => Signature.IsValid(s));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Test]
    public void Message_RandomBody_ParsesBack()
    {
        Property property = Prop.ForAll(DBusValueGen.Case().ToArbitrary(), c =>
        {
            var writer = new MessageWriter(c.BigEndian);
            writer.WriteMethodCallHeader("org.example.Peer", "/org/example", "org.example.Iface", "Do", c.Value.Signature);
            writer.WriteValue(c.Value);
            // Unchecked: 'h' values here are bare indexes with no descriptors behind them.
            using MessageBuffer buffer = writer.CreateMessageUnchecked();
            buffer.SetSerial(5);
            byte[] data = buffer.Data.ToArray();
            Assert.That(Message.TryGetFrameLength(data, out int frame) && frame == data.Length, Is.True);
            using Message message = Message.Parse(data);
            Reader reader = new(message.Body, message.IsBigEndian, fdCount: 4);
            List<DBusValue> values = reader.ReadValues(Encoding.ASCII.GetBytes(message.Signature));
            Assert.That(values, Is.EqualTo(new[] { c.Value }));
            Assert.That((message.Member, message.Serial), Is.EqualTo(("Do", 5u)));
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
