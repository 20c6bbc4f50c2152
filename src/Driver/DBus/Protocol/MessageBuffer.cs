using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Kvm.DBus.Protocol;

/// <summary>
/// A framed outgoing message in a pooled buffer. The connection sets the serial when it sends it and
/// disposes it afterwards; the descriptors it carries stay owned by whoever wrote them.
/// </summary>
public sealed class MessageBuffer : IDisposable
{
    private const int SerialOffset = 8;
    private byte[]? _buffer;
    private readonly int _length;
    private readonly bool _bigEndian;

    internal MessageBuffer(byte[] buffer, int length, bool bigEndian, SafeHandle[]? handles, MessageType type,
        MessageFlags flags, string? member, uint replySerial)
    {
        _buffer = buffer;
        _length = length;
        _bigEndian = bigEndian;
        Handles = handles ?? [];
        Type = type;
        Flags = flags;
        Member = member;
        ReplySerial = replySerial;
    }

    public MessageType Type { get; }

    public MessageFlags Flags { get; }

    /// <summary>The member (or error name), for logging.</summary>
    public string? Member { get; }

    public uint ReplySerial { get; }

    public uint Serial { get; private set; }

    public IReadOnlyList<SafeHandle> Handles { get; }

    public ReadOnlyMemory<byte> Data => (_buffer ?? throw new ObjectDisposedException(nameof(MessageBuffer))).AsMemory(0, _length);

    public int Length => _length;

    /// <summary>Sets the serial in the header; done once by the connection that sends the message.</summary>
    public void SetSerial(uint serial)
    {
        Span<byte> span = (_buffer ?? throw new ObjectDisposedException(nameof(MessageBuffer))).AsSpan(SerialOffset, 4);
        if (_bigEndian) { BinaryPrimitives.WriteUInt32BigEndian(span, serial); } else { BinaryPrimitives.WriteUInt32LittleEndian(span, serial); }
        Serial = serial;
    }

    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
