using System.Buffers.Binary;
using System.Text;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Reads XDR (RFC 4506) from a span: big-endian 4-byte units, strings and opaques padded to 4 bytes. Every size is
/// checked against what is left and against its limit before anything is allocated; malformed input throws
/// <see cref="XdrException"/>.
/// </summary>
public ref struct XdrReader
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public XdrReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    /// <summary>An XDR bool: 0 or 1, anything else is malformed.</summary>
    public bool ReadBool()
    {
        uint value = ReadUInt32();
        if (value > 1)
        {
            ThrowHelper.ThrowBadValue("boolean", value);
        }
        return value == 1;
    }

    /// <summary>string&lt;max&gt;: length, bytes, zero padding. Invalid UTF-8 becomes U+FFFD, as libvirt passes bytes through.</summary>
    public string ReadString(int max = RpcLimits.MaxString) => s_utf8.GetString(ReadOpaque(max));

    /// <summary>
    /// A string that holds an XML document: libvirt hands its bytes to libxml2, which refuses invalid UTF-8, so it is
    /// refused here with libxml2's message rather than decoded with U+FFFD.
    /// </summary>
    public string ReadXmlString(int max = RpcLimits.MaxString)
    {
        ReadOnlySpan<byte> bytes = ReadOpaque(max);
        try
        {
            return Kvm.DomainXml.Reading.XmlInput.Decode(bytes, null);
        }
        catch (Kvm.DomainXml.Errors.DomainXmlException e)
        {
            throw Domains.DomainErrors.FromXml(e);
        }
    }

    /// <summary>A pointer to a string (remote_string): a bool, then the string when it is set.</summary>
    public string? ReadOptionalString(int max = RpcLimits.MaxString) => ReadBool() ? ReadString(max) : null;

    /// <summary>opaque&lt;max&gt;: the variable-length form, returned as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadOpaque(int max)
    {
        uint length = ReadUInt32();
        if (length > (uint)max)
        {
            ThrowHelper.ThrowTooLong("opaque", length, max);
        }
        return ReadFixedOpaque((int)length);
    }

    /// <summary>opaque[n]: exactly n bytes and the padding to a multiple of 4.</summary>
    public ReadOnlySpan<byte> ReadFixedOpaque(int length)
    {
        ReadOnlySpan<byte> bytes = Take(length);
        int padding = Padding(length);
        ReadOnlySpan<byte> pad = Take(padding);
        if (pad.ContainsAnyExcept((byte)0))
        {
            ThrowHelper.ThrowBadValue("padding after opaque data of length", length);
        }
        return bytes;
    }

    /// <summary>The element count of a variable-length array, checked against its limit and against what is left.</summary>
    public int ReadArrayCount(int max, int minElementSize = 4)
    {
        uint count = ReadUInt32();
        if (count > (uint)max)
        {
            ThrowHelper.ThrowTooLong("array", count, max);
        }
        if ((long)count * minElementSize > Remaining)
        {
            ThrowHelper.ThrowTruncated((int)Math.Min(int.MaxValue, (long)count * minElementSize), Remaining);
        }
        return (int)count;
    }

    /// <summary>The end of a call's arguments: anything left over is malformed (libvirt's decoder checks the same).</summary>
    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            ThrowHelper.ThrowBadValue("trailing data length", Remaining);
        }
    }

    public static int Padding(int length) => (4 - (length & 3)) & 3;

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)Remaining)
        {
            ThrowHelper.ThrowTruncated(count, Remaining);
        }
        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
