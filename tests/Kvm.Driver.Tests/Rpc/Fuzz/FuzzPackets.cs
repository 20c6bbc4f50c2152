using System.Buffers.Binary;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc.Fuzz;

/// <summary>What the generator aimed at with one packet, so the test can check each kind was reached.</summary>
internal enum FuzzKind
{
    WildLength,
    HugeAnnouncedLength,
    RandomHeader,
    UnknownProgram,
    UnknownProcedure,
    StreamForUnknownSerial,
    RandomArguments,
    TruncatedArguments,
    HugeCounts,
}

/// <summary>
/// Seeded malformed (or merely hostile) packets for the RPC server: wild and huge lengths, random headers, unknown
/// programs and procedures, stream data for serials that have no stream, random arguments, arguments whose strings and
/// arrays are cut short, and sizes and counts just over libvirt's limits or all ones.
/// </summary>
internal sealed class FuzzPackets
{
    private static readonly RemoteProcedure[] s_procedures = Enum.GetValues<RemoteProcedure>();
    private readonly Random _random;

    public FuzzPackets(int seed) => _random = new Random(seed);

    /// <summary>One packet; <paramref name="closeAfter"/> when the stream cannot be framed after it (the peer hangs up).</summary>
    public byte[] Next(out FuzzKind kind, out bool closeAfter)
    {
        closeAfter = false;
        Random random = _random;
        switch (random.Next(16))
        {
            case 0:
                (kind, closeAfter) = (FuzzKind.WildLength, true);
                return WildLength();
            case 1:
                (kind, closeAfter) = (FuzzKind.HugeAnnouncedLength, true);
                return HugeAnnouncedLength();
            case 2 or 3:
            {
                kind = FuzzKind.RandomHeader;
                uint program = random.Next(3) == 0 ? RpcPrograms.Keepalive : RpcPrograms.Remote;
                var header = new RpcHeader(program, random.Next(5) == 0 ? (uint)random.Next() : 1u, random.Next(-5, 460),
                    (RpcMessageType)random.Next(-1, 8), (uint)random.Next(), (RpcStatus)random.Next(-1, 4));
                return Packet(header, RandomWords(12));
            }
            case 4:
                kind = FuzzKind.UnknownProgram;
                return Packet(Call(random.Next()) with { Program = (uint)random.Next(2, int.MaxValue) }, RandomWords(4));
            case 5:
                kind = FuzzKind.UnknownProcedure;
                return Packet(Call(random.Next(2) == 0 ? random.Next(460, int.MaxValue) : -random.Next(1, int.MaxValue)), RandomWords(4));
            case 6:
            {
                kind = FuzzKind.StreamForUnknownSerial;
                var header = new RpcHeader(RpcPrograms.Remote, 1, 201 /* REMOTE_PROC_DOMAIN_OPEN_CONSOLE */,
                    random.Next(4) == 0 ? RpcMessageType.StreamHole : RpcMessageType.Stream, (uint)random.Next(), (RpcStatus)random.Next(0, 3));
                return Packet(header, RandomBytes(random.Next(256)));
            }
            case 7 or 8 or 9:
                kind = FuzzKind.RandomArguments;
                return Packet(Call(KnownProcedure()), RandomWords(12));
            case 10 or 11 or 12:
                kind = FuzzKind.TruncatedArguments;
                return Packet(Call(KnownProcedure()), TruncatedArguments());
            default:
                kind = FuzzKind.HugeCounts;
                return Packet(Call(KnownProcedure()), HugeCounts());
        }
    }

    private byte[] WildLength()
    {
        byte[] bytes = RandomBytes(4 + _random.Next(32));
        if (_random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)_random.Next(0, RpcLimits.MinPacket));
        }
        else if (_random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)_random.NextInt64(RpcLimits.MaxPacket + 1L, uint.MaxValue + 1L));
        }
        return bytes;
    }

    /// <summary>A packet of nearly the largest length whose bytes never come: nothing may be allocated for it up front.</summary>
    private byte[] HugeAnnouncedLength()
    {
        byte[] bytes = RandomBytes(4 + 24 + _random.Next(64));
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)_random.Next(RpcLimits.MaxPacket - 1024, RpcLimits.MaxPacket + 1));
        return bytes;
    }

    /// <summary>Plausible arguments (a domain reference, strings, flags) cut off at a random point, or with a string or opaque longer than what follows.</summary>
    private byte[] TruncatedArguments()
    {
        var writer = new PacketBuffer();
        var xdr = new XdrWriter(writer);
        int items = _random.Next(1, 5);
        for (int i = 0; i < items; i++)
        {
            switch (_random.Next(4))
            {
                case 0:
                    RemoteDomain.Write(ref xdr, new string('d', _random.Next(1, 40)), Guid.NewGuid(), _random.Next(-1, 5));
                    break;
                case 1:
                    xdr.WriteString(new string('s', _random.Next(0, 100)));
                    break;
                case 2:
                    xdr.WriteUInt32((uint)_random.Next(8));
                    break;
                default: // a length claiming more than follows
                    xdr.WriteUInt32((uint)_random.Next(8, 4096));
                    xdr.WriteFixedOpaque(RandomBytes(_random.Next(0, 8)));
                    break;
            }
        }
        byte[] whole = writer.ToPacket()[RpcLimits.LengthWord..].ToArray();
        return whole[..(whole.Length == 0 ? 0 : _random.Next(whole.Length))];
    }

    /// <summary>Counts and lengths at and just over libvirt's limits, all ones, or the largest int, each followed by little.</summary>
    private byte[] HugeCounts()
    {
        byte[] body = RandomWords(8);
        uint[] hostile = [(uint)RpcLimits.MaxString, (uint)RpcLimits.MaxString + 1, (uint)RpcLimits.MaxDomainList + 1, int.MaxValue, uint.MaxValue,
            (uint)RpcLimits.MaxPacket];
        for (int i = 0; i + 4 <= body.Length; i += 4)
        {
            if (_random.Next(2) == 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(i), hostile[_random.Next(hostile.Length)]);
            }
        }
        return body;
    }

    /// <summary>Up to <paramref name="maxWords"/> words of sizes that matter (zero, one, small, over the limits, all ones, random), sometimes with a ragged tail.</summary>
    private byte[] RandomWords(int maxWords)
    {
        int words = _random.Next(maxWords);
        byte[] body = RandomBytes(words * 4 + (_random.Next(4) == 0 ? _random.Next(1, 4) : 0));
        for (int i = 0; i + 4 <= body.Length; i += 4)
        {
            uint value = _random.Next(6) switch
            {
                0 => 0,
                1 => 1,
                2 => (uint)_random.Next(64),
                3 => (uint)RpcLimits.MaxString + 1,
                4 => 0xffffffff,
                _ => BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(i)),
            };
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(i), value);
        }
        return body;
    }

    private byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private int KnownProcedure() => (int)s_procedures[_random.Next(s_procedures.Length)];

    private RpcHeader Call(int procedure) => new(RpcPrograms.Remote, 1, procedure, RpcMessageType.Call, (uint)_random.Next(), RpcStatus.Ok);

    /// <summary>A packet with the header and these body bytes as they are (a ragged tail stays ragged: the length word counts it).</summary>
    public static byte[] Packet(RpcHeader header, byte[] body)
    {
        PacketBuffer packet = PacketBuffer.Start(header, out _);
        byte[] head = packet.ToPacket().ToArray();
        byte[] whole = new byte[head.Length + body.Length];
        head.CopyTo(whole, 0);
        body.CopyTo(whole, head.Length);
        BinaryPrimitives.WriteUInt32BigEndian(whole, (uint)whole.Length);
        return whole;
    }
}
