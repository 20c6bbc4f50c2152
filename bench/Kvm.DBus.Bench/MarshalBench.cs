using System.Diagnostics;
using Kvm.DBus.Protocol;

namespace Kvm.DBus.Bench;

/// <summary>
/// Marshal + unmarshal of typical libvirt-dbus replies, one thread: write the METHOD_RETURN, frame it, copy it
/// (as a receive does), parse the header and read every body value with the typed reader.
/// </summary>
internal static class MarshalBench
{
    private static readonly string s_domainXml = MakeDomainXml();
    private static long s_sink;

    public static void Run(double seconds)
    {
        Console.WriteLine($"{"workload",-34} {"msgs/s",12} {"us/msg",8} {"bytes/msg",10} {"alloc B/msg",12}");
        Measure("reply: s (4 KiB domain XML)", seconds, WriteXmlReply, ReadXmlReply);
        Measure("reply: a{sv} (30 entries)", seconds, WriteDictReply, ReadDictReply);
    }

    private delegate MessageBuffer Writer();

    private delegate int BodyReader(Message message);

    private static void Measure(string name, double seconds, Writer write, BodyReader read)
    {
        int size = 0;
        for (int i = 0; i < 20000; i++)
        {
            size = RoundTrip(write, read);
        }
        long iterations = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 1000; i++)
            {
                RoundTrip(write, read);
            }
            iterations += 1000;
        }
        stopwatch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double perSecond = iterations / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-34} {perSecond,12:N0} {1e6 / perSecond,8:F2} {size,10:N0} {allocated / (double)iterations,12:N0}");
    }

    private static int RoundTrip(Writer write, BodyReader read)
    {
        using MessageBuffer buffer = write();
        buffer.SetSerial(42);
        byte[] received = buffer.Data.ToArray();
        using Message message = Message.Parse(received);
        s_sink += read(message);
        return buffer.Length;
    }

    private static MessageBuffer WriteXmlReply()
    {
        var writer = new MessageWriter();
        writer.WriteMethodReturnHeader(17, ":1.42", "s");
        writer.WriteString(s_domainXml);
        return writer.CreateMessage();
    }

    private static int ReadXmlReply(Message message)
    {
        Reader reader = message.GetBodyReader();
        return reader.ReadString().Length;
    }

    private static MessageBuffer WriteDictReply()
    {
        var writer = new MessageWriter();
        writer.WriteMethodReturnHeader(17, ":1.42", "a{sv}");
        ArrayStart dict = writer.WriteArrayStart(DBusType.DictEntry);
        for (int i = 0; i < 30; i++)
        {
            writer.WriteDictEntryStart();
            writer.WriteString(s_keys[i]);
            switch (i % 5)
            {
                case 0: writer.WriteVariantString("running"); break;
                case 1: writer.WriteVariantUInt32((uint)i); break;
                case 2: writer.WriteVariantUInt64(4194304UL * (ulong)i); break;
                case 3: writer.WriteVariantBool(i % 2 == 0); break;
                default: writer.WriteVariantInt32(-i); break;
            }
        }
        writer.WriteArrayEnd(dict);
        return writer.CreateMessage();
    }

    private static readonly string[] s_keys = Enumerable.Range(0, 30).Select(i => $"stat.key{i:D2}").ToArray();

    private static int ReadDictReply(Message message)
    {
        Reader reader = message.GetBodyReader();
        ArrayEnd end = reader.ReadArrayStart(DBusType.DictEntry);
        int count = 0;
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            count += reader.ReadStringAsSpan().Length;
            switch ((DBusType)reader.ReadSignatureAsSpan()[0])
            {
                case DBusType.String: count += reader.ReadStringAsSpan().Length; break;
                case DBusType.UInt32: count += (int)reader.ReadUInt32(); break;
                case DBusType.UInt64: count += (int)reader.ReadUInt64(); break;
                case DBusType.Bool: count += reader.ReadBool() ? 1 : 0; break;
                case DBusType.Int32: count += reader.ReadInt32(); break;
                default: throw new InvalidOperationException("unexpected variant");
            }
        }
        return count;
    }

    private static string MakeDomainXml()
    {
        var sb = new System.Text.StringBuilder("<domain type='kvm'>\n  <name>bench</name>\n  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>\n");
        int disk = 0;
        while (sb.Length < 4096 - 40)
        {
            sb.Append($"  <disk type='file' device='disk'><source file='/var/lib/images/d{disk}.qcow2'/><target dev='vd{(char)('a' + disk % 26)}'/></disk>\n");
            disk++;
        }
        sb.Append("</domain>");
        return sb.ToString(0, Math.Min(sb.Length, 4096));
    }
}
