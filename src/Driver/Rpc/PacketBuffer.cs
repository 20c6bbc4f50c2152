using System.Buffers;
using System.Buffers.Binary;

namespace Kvm.Driver.Rpc;

/// <summary>
/// One outgoing packet being built: a length word, then whatever is written. Grows as needed up to
/// <see cref="RpcLimits.MaxPacket"/> (beyond that it throws <see cref="XdrException"/>); <see cref="ToPacket"/> fills
/// in the length word.
/// </summary>
public sealed class PacketBuffer : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;

    public PacketBuffer(int initialCapacity = 256)
    {
        _buffer = new byte[Math.Max(initialCapacity, RpcLimits.MinPacket)];
        _length = RpcLimits.LengthWord;
    }

    /// <summary>A packet with <paramref name="header"/> and a writer positioned for its body.</summary>
    public static PacketBuffer Start(RpcHeader header, out XdrWriter body)
    {
        var buffer = new PacketBuffer();
        body = new XdrWriter(buffer);
        header.Write(ref body);
        return buffer;
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_length);
    }

    /// <summary>The finished packet, its length word set.</summary>
    public ReadOnlyMemory<byte> ToPacket()
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer, (uint)_length);
        return _buffer.AsMemory(0, _length);
    }

    private void Reserve(int sizeHint)
    {
        int needed = _length + Math.Max(sizeHint, 1);
        if (needed > RpcLimits.MaxPacket)
        {
            ThrowHelper.ThrowTooLong("packet", needed, RpcLimits.MaxPacket);
        }
        if (needed > _buffer.Length)
        {
            int size = (int)Math.Min(RpcLimits.MaxPacket, Math.Max((long)_buffer.Length * 2, needed));
            Array.Resize(ref _buffer, size);
        }
    }
}
