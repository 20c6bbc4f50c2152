using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Kvm.DBus.Protocol;

/// <summary>
/// Writes one message: first a header (<c>WriteMethodCallHeader</c> and friends), then the body values in
/// signature order, then <see cref="CreateMessage"/>. The body is marshalled into a pooled buffer with the
/// alignment the specification requires; the body starts 8-aligned in a message, so offsets are counted from it.
/// Dispose it when <see cref="CreateMessage"/> was not called.
/// </summary>
public ref partial struct MessageWriter
{
    private byte[]? _buffer;
    private int _length;
    private readonly bool _bigEndian;
    private List<SafeHandle>? _fds;
    private HeaderInfo _header;

    public MessageWriter() : this(bigEndian: false, capacity: 256) { }

    public MessageWriter(bool bigEndian, int capacity = 256)
    {
        _bigEndian = bigEndian;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 64));
        _length = 0;
    }

    /// <summary>Bytes written so far (the body, or the whole message for the header writer).</summary>
    public readonly int Length => _length;

    public readonly bool IsBigEndian => _bigEndian;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void WriteByte(byte value) => Reserve(1, 1)[0] = value;

    public void WriteBool(bool value) => WriteUInt32(value ? 1u : 0u);

    public void WriteInt16(short value) => WriteUInt16((ushort)value);

    public void WriteUInt16(ushort value)
    {
        Span<byte> span = Reserve(2, 2);
        if (_bigEndian) { BinaryPrimitives.WriteUInt16BigEndian(span, value); } else { BinaryPrimitives.WriteUInt16LittleEndian(span, value); }
    }

    public void WriteInt32(int value) => WriteUInt32((uint)value);

    public void WriteUInt32(uint value)
    {
        Span<byte> span = Reserve(4, 4);
        if (_bigEndian) { BinaryPrimitives.WriteUInt32BigEndian(span, value); } else { BinaryPrimitives.WriteUInt32LittleEndian(span, value); }
    }

    public void WriteInt64(long value) => WriteUInt64((ulong)value);

    public void WriteUInt64(ulong value)
    {
        Span<byte> span = Reserve(8, 8);
        if (_bigEndian) { BinaryPrimitives.WriteUInt64BigEndian(span, value); } else { BinaryPrimitives.WriteUInt64LittleEndian(span, value); }
    }

    public void WriteDouble(double value) => WriteUInt64(BitConverter.DoubleToUInt64Bits(value));

    /// <summary>A STRING: UINT32 length, UTF-8 bytes, a terminating NUL. Strings must not contain NUL.</summary>
    public void WriteString(ReadOnlySpan<char> value)
    {
        if (value.Contains('\0'))
        {
            ThrowHelper.ThrowArgument("A D-Bus string must not contain NUL", nameof(value));
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        Span<byte> span = Reserve(4, 4 + byteCount + 1);
        WriteLength(span, byteCount);
        Encoding.UTF8.GetBytes(value, span.Slice(4));
        span[4 + byteCount] = 0;
    }

    /// <summary>A STRING from UTF-8 bytes the caller vouches for (no NUL, valid UTF-8).</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        Span<byte> span = Reserve(4, 4 + utf8.Length + 1);
        WriteLength(span, utf8.Length);
        utf8.CopyTo(span.Slice(4));
        span[4 + utf8.Length] = 0;
    }

    public void WriteObjectPath(ReadOnlySpan<char> path)
    {
        if (!DBusNames.IsValidObjectPath(path))
        {
            ThrowHelper.ThrowArgument($"Invalid object path '{path}'", nameof(path));
        }
        WriteString(path);
    }

    /// <summary>A SIGNATURE: one length byte, ASCII type codes, a terminating NUL.</summary>
    public void WriteSignature(ReadOnlySpan<byte> signature)
    {
        if (!Signature.IsValid(signature))
        {
            ThrowHelper.ThrowArgument($"Invalid signature '{Encoding.ASCII.GetString(signature)}'", nameof(signature));
        }
        Span<byte> span = Reserve(1, signature.Length + 2);
        span[0] = (byte)signature.Length;
        signature.CopyTo(span.Slice(1));
        span[signature.Length + 1] = 0;
    }

    public void WriteSignature(string signature) => WriteSignature(Encoding.ASCII.GetBytes(signature));

    /// <summary>
    /// A UNIX_FD: the index of <paramref name="handle"/> among the message's descriptors. The descriptor is
    /// sent with the message; the caller keeps ownership of the handle and may dispose it once the send completed.
    /// </summary>
    public void WriteHandle(SafeHandle handle)
    {
        _fds ??= new List<SafeHandle>();
        _fds.Add(handle);
        WriteUInt32((uint)(_fds.Count - 1));
    }

    /// <summary>Writes the length placeholder and the padding to the element alignment (present even when empty).</summary>
    public ArrayStart WriteArrayStart(DBusType elementType)
    {
        Reserve(4, 4);
        int lengthOffset = _length - 4;
        Align(Signature.GetAlignment(elementType));
        return new ArrayStart(lengthOffset, _length);
    }

    public void WriteArrayEnd(ArrayStart start)
    {
        int length = _length - start.DataOffset;
        if (length > ProtocolLimits.MaxArrayLength)
        {
            ThrowHelper.ThrowLimit($"Array of {length} bytes exceeds the 64 MiB limit");
        }
        WriteLength(_buffer.AsSpan(start.LengthOffset, 4), length);
    }

    public void WriteStructStart() => Align(8);

    public void WriteDictEntryStart() => Align(8);

    /// <summary>Pads with zero bytes to <paramref name="alignment"/>.</summary>
    public void Align(int alignment) => Reserve(alignment, 0);

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private readonly void WriteLength(Span<byte> span, int length)
    {
        if (_bigEndian) { BinaryPrimitives.WriteInt32BigEndian(span, length); } else { BinaryPrimitives.WriteInt32LittleEndian(span, length); }
    }

    private Span<byte> Reserve(int alignment, int size)
    {
        if (_buffer is null)
        {
            ThrowHelper.ThrowInvalidOperation("The writer was disposed or its message already created");
        }
        int padding = (alignment - (_length & (alignment - 1))) & (alignment - 1);
        int needed = _length + padding + size;
        if (needed > _buffer.Length)
        {
            Grow(needed);
        }
        _buffer.AsSpan(_length, padding).Clear();
        Span<byte> span = _buffer.AsSpan(_length + padding, size);
        _length = needed;
        return span;
    }

    private void Grow(int needed)
    {
        if (needed > ProtocolLimits.MaxMessageLength)
        {
            ThrowHelper.ThrowLimit("Message exceeds the 128 MiB limit");
        }
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer!.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
