using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Kvm.DBus.Protocol;

/// <summary>
/// A received message: its header fields parsed and validated, its body read on demand with
/// <see cref="GetBodyReader"/>. Descriptors received with it are owned by it until taken with <see cref="TakeHandle"/>.
/// </summary>
public sealed partial class Message : IDisposable
{
    private readonly byte[] _data;
    private readonly int _bodyOffset;
    private SafeFileHandle?[] _handles = [];

    private Message(byte[] data, int bodyOffset)
    {
        _data = data;
        _bodyOffset = bodyOffset;
    }

    public bool IsBigEndian { get; private init; }

    public MessageType Type { get; private init; }

    public MessageFlags Flags { get; private init; }

    public uint Serial { get; private init; }

    public uint ReplySerial { get; private set; }

    public string? Path { get; private set; }

    public string? Interface { get; private set; }

    public string? Member { get; private set; }

    public string? ErrorName { get; private set; }

    public string? Destination { get; private set; }

    public string? Sender { get; private set; }

    /// <summary>The body signature; empty when the body is empty.</summary>
    public string Signature { get; private set; } = "";

    public int UnixFdCount { get; private set; }

    public bool NoReplyExpected => (Flags & MessageFlags.NoReplyExpected) != 0;

    /// <summary>The whole message as received.</summary>
    public ReadOnlySpan<byte> Data => _data;

    public ReadOnlySpan<byte> Body => _data.AsSpan(_bodyOffset);

    public Reader GetBodyReader() => new(Body, IsBigEndian, UnixFdCount);

    /// <summary>Takes ownership of the descriptor at <paramref name="index"/>, or null when it was taken already or not received.</summary>
    public SafeFileHandle? TakeHandle(int index)
    {
        if ((uint)index >= (uint)_handles.Length)
        {
            return null;
        }
        return Interlocked.Exchange(ref _handles[index], null);
    }

    /// <summary>Closes the descriptors nobody took.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _handles.Length; i++)
        {
            Interlocked.Exchange(ref _handles[i], null)?.Dispose();
        }
    }

    /// <summary>
    /// From the first 16 bytes of a message, its total length. False when fewer than 16 bytes are given;
    /// throws <see cref="DBusReadException"/> for a bad byte order, version or a length over the limits.
    /// </summary>
    public static bool TryGetFrameLength(ReadOnlySpan<byte> prefix, out int length)
    {
        length = 0;
        if (prefix.Length < ProtocolLimits.FixedHeaderLength)
        {
            return false;
        }
        bool bigEndian = prefix[0] switch
        {
            ProtocolLimits.LittleEndianMark => false,
            ProtocolLimits.BigEndianMark => true,
            _ => ThrowHelper.ThrowRead<bool>("Unknown byte order mark", 0),
        };
        if (prefix[3] != ProtocolLimits.ProtocolVersion)
        {
            ThrowHelper.ThrowRead("Unsupported protocol version", 3);
        }
        uint bodyLength = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(prefix[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[4..]);
        uint fieldsLength = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(prefix[12..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[12..]);
        if (fieldsLength > ProtocolLimits.MaxArrayLength)
        {
            ThrowHelper.ThrowRead("Header field array longer than 64 MiB", 12);
        }
        long headerLength = (ProtocolLimits.FixedHeaderLength + (long)fieldsLength + 7) & ~7L;
        long total = headerLength + bodyLength;
        if (total > ProtocolLimits.MaxMessageLength)
        {
            ThrowHelper.ThrowRead("Message longer than 128 MiB", 4);
        }
        length = (int)total;
        return true;
    }

    /// <summary>Parses and validates a complete message (exactly one frame). Takes ownership of <paramref name="handles"/>.</summary>
    public static Message Parse(byte[] data, SafeFileHandle[]? handles = null)
    {
        var queue = new Queue<SafeFileHandle>(handles ?? []);
        try
        {
            Message message = ParseCore(data, queue);
            if (queue.Count != 0)
            {
                message.Dispose();
                ThrowHelper.ThrowRead("More descriptors received than the UNIX_FDS header field says", 12);
            }
            return message;
        }
        finally
        {
            while (queue.TryDequeue(out SafeFileHandle? h))
            {
                h.Dispose();
            }
        }
    }

    /// <summary>
    /// Parses a complete message, taking as many descriptors from <paramref name="fdQueue"/> as its UNIX_FDS
    /// field announces (descriptors arrive on a socket in order, not per message).
    /// </summary>
    public static Message Parse(byte[] data, Queue<SafeFileHandle> fdQueue) => ParseCore(data, fdQueue);
}
