using System.Buffers.Binary;
using System.Text;

namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// A system description table under construction: the 36-byte ACPI header (signature, length, revision, checksum,
/// OEM fields, creator) followed by the body. <see cref="ToArray"/> fills in the length and the checksum.
/// </summary>
internal sealed class AcpiTable
{
    public const int HeaderSize = 36;
    public const string OemId = "KVMCS ";
    private const string CreatorId = "KVMC";

    private readonly List<byte> _bytes;

    public AcpiTable(string signature, byte revision)
    {
        _bytes = new List<byte>(128);
        Append(Encoding.ASCII.GetBytes(signature));
        Append32(0); // length, set by ToArray
        _bytes.Add(revision);
        _bytes.Add(0); // checksum, set by ToArray
        Append(Encoding.ASCII.GetBytes(OemId));
        Append(Encoding.ASCII.GetBytes(("KVMC" + signature).PadRight(8)[..8]));
        Append32(1); // OEM revision
        Append(Encoding.ASCII.GetBytes(CreatorId));
        Append32(1); // creator revision
    }

    public int Length => _bytes.Count;

    public AcpiTable Append(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            _bytes.Add(b);
        }

        return this;
    }

    public AcpiTable Append8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public AcpiTable Append16(ushort value) => Append(stackalloc byte[2] { (byte)value, (byte)(value >> 8) });

    public AcpiTable Append32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Append(b);
    }

    public AcpiTable Append64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return Append(b);
    }

    /// <summary>A Generic Address Structure in system I/O space (12 bytes), or all zeros for port 0.</summary>
    public AcpiTable AppendIoRegister(ushort port, byte bitWidth)
    {
        const byte systemIo = 1, byteAccess = 1;
        return port == 0
            ? Append(stackalloc byte[12])
            : Append8(systemIo).Append8(bitWidth).Append8(0).Append8(byteAccess).Append64(port);
    }

    public byte[] ToArray()
    {
        byte[] table = [.. _bytes];
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4), (uint)table.Length);
        table[9] = Checksum(table);
        return table;
    }

    /// <summary>The byte that makes all bytes of <paramref name="data"/> sum to zero (its own slot counted as zero).</summary>
    public static byte Checksum(ReadOnlySpan<byte> data)
    {
        byte sum = 0;
        foreach (byte b in data)
        {
            sum += b;
        }

        return (byte)(0 - sum);
    }
}
