using System.Buffers.Binary;

namespace Kvm.Driver.Rpc;

/// <summary>The packet boundary: a 4-byte big-endian length that counts itself, the header and the body.</summary>
public static class PacketFraming
{
    /// <summary>
    /// Reads a length word and checks it against libvirt's bounds (at least a header, at most
    /// <see cref="RpcLimits.MaxPacket"/>) before anything is allocated for the rest.
    /// </summary>
    /// <param name="remaining">The bytes that follow the length word (header and body).</param>
    public static bool TryReadLength(ReadOnlySpan<byte> word, out int remaining, out string? error)
    {
        uint length = BinaryPrimitives.ReadUInt32BigEndian(word);
        if (length < RpcLimits.MinPacket)
        {
            (remaining, error) = (0, $"packet {length} bytes received from client too small, want at least {RpcLimits.MinPacket}");
            return false;
        }
        if (length > RpcLimits.MaxPacket)
        {
            (remaining, error) = (0, $"packet {length} bytes received from client too large, want at most {RpcLimits.MaxPacket}");
            return false;
        }
        (remaining, error) = ((int)length - RpcLimits.LengthWord, null);
        return true;
    }
}
