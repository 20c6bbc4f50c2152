using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Kvm.DBus.Protocol;

/// <summary>
/// Reads marshalled values from a message body (or a whole message) in either byte order. Every bounds,
/// padding, UTF-8, name and limit check that fails throws <see cref="DBusReadException"/>; nothing else escapes.
/// Offsets are counted from the start of the span, which must be 8-aligned within the message.
/// </summary>
public ref partial struct Reader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _bigEndian;
    private readonly int _fdCount;
    private int _offset;
    private int _arrayDepth;
    private int _structDepth;
    private int _variantDepth;

    public Reader(ReadOnlySpan<byte> data, bool bigEndian, int fdCount = 0)
    {
        _data = data;
        _bigEndian = bigEndian;
        _fdCount = fdCount;
    }

    public readonly int Offset => _offset;

    public readonly bool IsAtEnd => _offset >= _data.Length;

    public readonly int Remaining => _data.Length - _offset;

    public byte ReadByte() => Take(1, 1)[0];

    public bool ReadBool()
    {
        int at = _offset;
        uint value = ReadUInt32();
        return value switch
        {
            0 => false,
            1 => true,
            _ => ThrowHelper.ThrowRead<bool>("Boolean other than 0 or 1", at),
        };
    }

    public short ReadInt16() => (short)ReadUInt16();

    public ushort ReadUInt16()
    {
        ReadOnlySpan<byte> s = Take(2, 2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
    }

    public int ReadInt32() => (int)ReadUInt32();

    public uint ReadUInt32()
    {
        ReadOnlySpan<byte> s = Take(4, 4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    public long ReadInt64() => (long)ReadUInt64();

    public ulong ReadUInt64()
    {
        ReadOnlySpan<byte> s = Take(8, 8);
        return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
    }

    public double ReadDouble() => BitConverter.UInt64BitsToDouble(ReadUInt64());

    /// <summary>The UTF-8 bytes of a STRING, validated (length in bounds, NUL terminated, no NUL inside, valid UTF-8).</summary>
    public ReadOnlySpan<byte> ReadStringAsSpan()
    {
        int at = Aligned(4);
        uint length = ReadUInt32();
        if (Remaining == 0 || length > (uint)(Remaining - 1))
        {
            ThrowHelper.ThrowRead("String length beyond the end of the data", at);
        }
        ReadOnlySpan<byte> bytes = _data.Slice(_offset, (int)length);
        if (_data[_offset + (int)length] != 0)
        {
            ThrowHelper.ThrowRead("String not terminated by NUL", at);
        }
        if (bytes.Contains((byte)0) || !Utf8.IsValid(bytes))
        {
            ThrowHelper.ThrowRead("String with NUL or invalid UTF-8", at);
        }
        _offset += (int)length + 1;
        return bytes;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadStringAsSpan());

    public string ReadObjectPath()
    {
        int at = Aligned(4);
        string path = ReadString();
        if (!DBusNames.IsValidObjectPath(path))
        {
            ThrowHelper.ThrowRead("Invalid object path", at);
        }
        return path;
    }

    /// <summary>The ASCII bytes of a SIGNATURE, validated.</summary>
    public ReadOnlySpan<byte> ReadSignatureAsSpan()
    {
        int at = _offset;
        int length = ReadByte();
        if (length + 1 > Remaining)
        {
            ThrowHelper.ThrowRead("Signature length beyond the end of the data", at);
        }
        ReadOnlySpan<byte> sig = _data.Slice(_offset, length);
        if (_data[_offset + length] != 0)
        {
            ThrowHelper.ThrowRead("Signature not terminated by NUL", at);
        }
        if (!Signature.IsValid(sig))
        {
            ThrowHelper.ThrowRead("Invalid signature", at);
        }
        _offset += length + 1;
        return sig;
    }

    public string ReadSignature() => Encoding.ASCII.GetString(ReadSignatureAsSpan());

    /// <summary>A UNIX_FD: the index into the message's descriptors, checked against their count.</summary>
    public int ReadHandleIndex()
    {
        int at = Aligned(4);
        uint index = ReadUInt32();
        if (index >= (uint)_fdCount)
        {
            ThrowHelper.ThrowRead("Unix fd index beyond the descriptors received", at);
        }
        return (int)index;
    }

    /// <summary>Reads an array's length and the padding to its element type; iterate with <see cref="HasNext"/>.</summary>
    public ArrayEnd ReadArrayStart(DBusType elementType)
    {
        int at = Aligned(4);
        uint length = ReadUInt32();
        if (length > ProtocolLimits.MaxArrayLength)
        {
            ThrowHelper.ThrowRead("Array longer than 64 MiB", at);
        }
        AlignTo(Signature.GetAlignment(elementType));
        if (length > (uint)Remaining)
        {
            ThrowHelper.ThrowRead("Array length beyond the end of the data", at);
        }
        return new ArrayEnd(_offset + (int)length);
    }

    /// <summary>True while elements remain before <paramref name="end"/>; an element overrunning it throws.</summary>
    public readonly bool HasNext(ArrayEnd end)
    {
        if (_offset > end.EndOffset)
        {
            ThrowHelper.ThrowRead("Array element overruns the array length", _offset);
        }
        return _offset < end.EndOffset;
    }

    public void AlignStruct() => AlignTo(8);

    public void AlignTo(int alignment)
    {
        int padding = (alignment - (_offset & (alignment - 1))) & (alignment - 1);
        if (padding > Remaining)
        {
            ThrowHelper.ThrowRead("Truncated data", _offset);
        }
        if (padding != 0 && _data.Slice(_offset, padding).ContainsAnyExcept((byte)0))
        {
            ThrowHelper.ThrowRead("Non-zero padding", _offset);
        }
        _offset += padding;
    }

    private readonly int Aligned(int alignment) => (_offset + alignment - 1) & ~(alignment - 1);

    private ReadOnlySpan<byte> Take(int alignment, int size)
    {
        AlignTo(alignment);
        if (size > Remaining)
        {
            ThrowHelper.ThrowRead("Truncated data", _offset);
        }
        ReadOnlySpan<byte> s = _data.Slice(_offset, size);
        _offset += size;
        return s;
    }
}
