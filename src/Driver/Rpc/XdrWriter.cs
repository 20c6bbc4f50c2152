using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Writes XDR (RFC 4506) into a buffer writer: big-endian 4-byte units, strings and opaques padded with zeros to 4
/// bytes. Sizes over libvirt's limits throw <see cref="XdrException"/>, so kvmd never sends what a client would refuse.
/// </summary>
public ref struct XdrWriter
{
    private readonly IBufferWriter<byte> _output;
    private int _written;

    public XdrWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _written = 0;
    }

    /// <summary>Bytes written through this writer.</summary>
    public readonly int Written => _written;

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteBool(bool value) => WriteUInt32(value ? 1u : 0u);

    public void WriteString(string value, int max = RpcLimits.MaxString)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > max)
        {
            ThrowHelper.ThrowTooLong("string", length, max);
        }
        WriteUInt32((uint)length);
        Span<byte> span = _output.GetSpan(length + 3);
        Encoding.UTF8.GetBytes(value, span);
        span.Slice(length, XdrReader.Padding(length)).Clear();
        Advance(length + XdrReader.Padding(length));
    }

    /// <summary>A pointer to a string (remote_string): false, or true and the string.</summary>
    public void WriteOptionalString(string? value)
    {
        WriteBool(value is not null);
        if (value is not null)
        {
            WriteString(value);
        }
    }

    public void WriteOpaque(scoped ReadOnlySpan<byte> value, int max)
    {
        if (value.Length > max)
        {
            ThrowHelper.ThrowTooLong("opaque", value.Length, max);
        }
        WriteUInt32((uint)value.Length);
        WriteFixedOpaque(value);
    }

    public void WriteFixedOpaque(scoped ReadOnlySpan<byte> value)
    {
        int padding = XdrReader.Padding(value.Length);
        Span<byte> span = _output.GetSpan(value.Length + padding);
        value.CopyTo(span);
        span.Slice(value.Length, padding).Clear();
        Advance(value.Length + padding);
    }

    /// <summary>The count of a variable-length array, checked against its limit.</summary>
    public void WriteArrayCount(int count, int max)
    {
        if ((uint)count > (uint)max)
        {
            ThrowHelper.ThrowTooLong("array", count, max);
        }
        WriteUInt32((uint)count);
    }

    private void Advance(int count)
    {
        _output.Advance(count);
        _written += count;
    }
}
