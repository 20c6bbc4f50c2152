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

    // Header strings stay bytes in _data until asked for: (offset, length) per field code, decoded once on demand.
    // Inline arrays: part of this object, no allocation of their own. A length of 0 with offset 0 means absent
    // (a present field always has a non-zero offset, past the fixed header).
    private FieldRanges _ranges;
    private FieldStrings _strings;

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

    public string? Path => Field(HeaderField.Path);

    public string? Interface => Field(HeaderField.Interface);

    public string? Member => Field(HeaderField.Member);

    public string? ErrorName => Field(HeaderField.ErrorName);

    public string? Destination => Field(HeaderField.Destination);

    public string? Sender => Field(HeaderField.Sender);

    /// <summary>The body signature; empty when the body is empty.</summary>
    public string Signature => Field(HeaderField.Signature) ?? "";

    /// <summary>The UTF-8 bytes of a string header field (path, names, signature) without decoding it; empty when absent.</summary>
    public ReadOnlySpan<byte> GetFieldSpan(HeaderField field)
    {
        FieldRange range = _ranges[(int)field];
        return range.Offset == 0 ? default : _data.AsSpan(range.Offset, range.Length);
    }

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

    private string? Field(HeaderField field)
    {
        string? value = _strings[(int)field];
        if (value is null && _ranges[(int)field].Offset != 0)
        {
            FieldRange range = _ranges[(int)field];
            value = System.Text.Encoding.UTF8.GetString(_data, range.Offset, range.Length);
            _strings[(int)field] = value;
        }
        return value;
    }

    private readonly record struct FieldRange(int Offset, int Length);

    [System.Runtime.CompilerServices.InlineArray((int)HeaderField.Signature + 1)]
    private struct FieldRanges
    {
        private FieldRange _element;
    }

    [System.Runtime.CompilerServices.InlineArray((int)HeaderField.Signature + 1)]
    private struct FieldStrings
    {
        private string? _element;
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
