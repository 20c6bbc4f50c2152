using System.Buffers.Binary;
using System.Text;

namespace Kvm.Vmm.Firmware.Smbios;

/// <summary>
/// One SMBIOS structure under construction (SMBIOS 3.0, 6.1.2): the formatted area (type, length, handle, then the
/// fields at their offsets) and the string-set after it, each string NUL-terminated and the set ended by a second
/// NUL (two NULs when it has none). A string field holds the string's 1-based number, 0 for none.
/// </summary>
internal sealed class SmbiosStructure
{
    private readonly byte[] _formatted;
    private readonly List<byte[]> _strings = [];

    public SmbiosStructure(byte type, int length, ushort handle)
    {
        _formatted = new byte[length];
        _formatted[0] = type;
        _formatted[1] = (byte)length;
        BinaryPrimitives.WriteUInt16LittleEndian(_formatted.AsSpan(2), handle);
    }

    public SmbiosStructure Byte(int offset, byte value)
    {
        _formatted[offset] = value;
        return this;
    }

    public SmbiosStructure Word(int offset, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_formatted.AsSpan(offset), value);
        return this;
    }

    public SmbiosStructure Dword(int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_formatted.AsSpan(offset), value);
        return this;
    }

    public SmbiosStructure Qword(int offset, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_formatted.AsSpan(offset), value);
        return this;
    }

    public SmbiosStructure Bytes(int offset, ReadOnlySpan<byte> value)
    {
        value.CopyTo(_formatted.AsSpan(offset));
        return this;
    }

    /// <summary>Sets the string field at <paramref name="offset"/>: the next string's number, or 0 for null or empty.</summary>
    public SmbiosStructure String(int offset, string? value)
    {
        _formatted[offset] = AddString(value);
        return this;
    }

    /// <summary>Appends <paramref name="value"/> to the string-set; its number, or 0 for null or empty.</summary>
    /// <exception cref="ArgumentException">The string holds a NUL or is longer than <see cref="SmbiosTables.MaxStringBytes"/>; more than 255 strings.</exception>
    public byte AddString(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        if (value.Contains('\0'))
        {
            throw new ArgumentException($"SMBIOS string '{value.Replace('\0', ' ')}' holds a NUL character", nameof(value));
        }

        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > SmbiosTables.MaxStringBytes)
        {
            throw new ArgumentException($"SMBIOS string of {bytes.Length} bytes: at most {SmbiosTables.MaxStringBytes} are allowed", nameof(value));
        }

        if (_strings.Count == byte.MaxValue)
        {
            throw new ArgumentException("an SMBIOS structure holds at most 255 strings", nameof(value));
        }

        _strings.Add(bytes);
        return (byte)_strings.Count;
    }

    /// <summary>The structure's bytes: the formatted area, the strings and the terminating NUL(s).</summary>
    public byte[] ToArray()
    {
        int size = _formatted.Length + _strings.Sum(s => s.Length + 1) + (_strings.Count == 0 ? 2 : 1);
        var bytes = new byte[size];
        _formatted.CopyTo(bytes, 0);
        int at = _formatted.Length;
        foreach (byte[] s in _strings)
        {
            s.CopyTo(bytes, at);
            at += s.Length + 1;
        }

        return bytes;
    }
}
