using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc.Fuzz;

/// <summary>Everything the fuzzing connections got back: replies counted by error message, and anything malformed.</summary>
internal sealed partial class FuzzAnswers
{
    private static readonly Regex s_number = Number();

    public ConcurrentDictionary<string, int> Errors { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    private long _okReplies;

    public long OkReplies => Interlocked.Read(ref _okReplies);

    public void Malformed(string problem) => Problems.Enqueue(problem);

    /// <summary>Takes every whole packet off the front of <paramref name="stream"/> and checks it.</summary>
    public void Parse(List<byte> stream)
    {
        while (stream.Count >= 4)
        {
            byte[] word = [stream[0], stream[1], stream[2], stream[3]];
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(word);
            if (length < RpcLimits.MinPacket || length > RpcLimits.MaxPacket)
            {
                Malformed($"length word {length}");
                stream.Clear();
                return;
            }
            if (stream.Count < length)
            {
                return;
            }
            byte[] packet = stream.GetRange(4, length - 4).ToArray();
            stream.RemoveRange(0, length);
            Check(packet);
        }
    }

    private void Check(byte[] packet)
    {
        try
        {
            var reader = new XdrReader(packet);
            RpcHeader header = RpcHeader.Read(ref reader);
            if (header.Program == RpcPrograms.Keepalive && header.Type == RpcMessageType.Message && header.Procedure == RpcPrograms.KeepalivePong)
            {
                return;
            }
            if (header.Type != RpcMessageType.Reply)
            {
                Malformed($"a packet of type {header.Type} for procedure {header.Procedure}");
                return;
            }
            if (header.Status == RpcStatus.Ok)
            {
                Interlocked.Increment(ref _okReplies);
                return;
            }
            Errors.AddOrUpdate(ReadError(ref reader), 1, (_, n) => n + 1);
        }
        catch (XdrException e)
        {
            Malformed("undecodable reply: " + e.Message);
        }
    }

    /// <summary>remote_error: code, domain, message, level, dom, str1..3, int1, int2, net; returns "code/domain message".</summary>
    private static string ReadError(ref XdrReader reader)
    {
        int code = reader.ReadInt32();
        int domain = reader.ReadInt32();
        string message = reader.ReadOptionalString() ?? "(null)";
        int level = reader.ReadInt32();
        bool hasDomain = reader.ReadBool();
        reader.ReadOptionalString();
        reader.ReadOptionalString();
        reader.ReadOptionalString();
        reader.ReadInt32();
        reader.ReadInt32();
        bool hasNetwork = reader.ReadBool();
        reader.EnsureEnd();
        if (level != RemoteError.LevelError || hasDomain || hasNetwork)
        {
            throw new XdrException($"unexpected level {level} or dom/net set in '{message}'");
        }
        return $"{code}/{domain} " + s_number.Replace(message, "N");
    }

    [GeneratedRegex(@"'[^']*'|-?(0x)?[0-9a-f]*\d[0-9a-f]*")]
    private static partial Regex Number();
}
