using System.Text;

namespace Kvm.DBus.Protocol;

/// <summary>
/// A value of any D-Bus type with its signature, for variants and for code that does not know the type
/// beforehand. Arrays of bytes keep their payload as <c>byte[]</c>; other containers keep their elements in
/// <see cref="Items"/> (a dict entry has two, a variant one). Compare with <see cref="Equals(DBusValue?)"/>.
/// </summary>
public sealed class DBusValue : IEquatable<DBusValue>
{
    private DBusValue(string signature, object? scalar, DBusValue[]? items)
    {
        Signature = signature;
        Scalar = scalar;
        Items = items ?? [];
    }

    public string Signature { get; }

    /// <summary>The basic value (byte, bool, short, …, string) or the <c>byte[]</c> of an <c>ay</c>.</summary>
    public object? Scalar { get; }

    public IReadOnlyList<DBusValue> Items { get; }

    public DBusType Type => (DBusType)Signature[0];

    public static DBusValue Byte(byte v) => new("y", v, null);
    public static DBusValue Bool(bool v) => new("b", v, null);
    public static DBusValue Int16(short v) => new("n", v, null);
    public static DBusValue UInt16(ushort v) => new("q", v, null);
    public static DBusValue Int32(int v) => new("i", v, null);
    public static DBusValue UInt32(uint v) => new("u", v, null);
    public static DBusValue Int64(long v) => new("x", v, null);
    public static DBusValue UInt64(ulong v) => new("t", v, null);
    public static DBusValue Double(double v) => new("d", v, null);
    public static DBusValue String(string v) => new("s", v, null);
    public static DBusValue ObjectPath(string v) => new("o", v, null);
    public static DBusValue SignatureValue(string v) => new("g", v, null);

    /// <summary>A UNIX_FD as its index among the message's descriptors.</summary>
    public static DBusValue UnixFdIndex(uint index) => new("h", index, null);

    public static DBusValue ByteArray(byte[] bytes) => new("ay", bytes, null);

    public static DBusValue Array(string elementSignature, IEnumerable<DBusValue> items)
    {
        DBusValue[] array = items.ToArray();
        if (elementSignature == "y")
        {
            return ByteArray(array.Select(i => (byte)i.Scalar!).ToArray());
        }
        foreach (DBusValue item in array)
        {
            if (item.Signature != elementSignature)
            {
                throw new ArgumentException($"Element of type '{item.Signature}' in an array of '{elementSignature}'", nameof(items));
            }
        }
        return new DBusValue("a" + elementSignature, null, array);
    }

    public static DBusValue Struct(params DBusValue[] fields)
    {
        if (fields.Length == 0)
        {
            throw new ArgumentException("A struct has at least one field", nameof(fields));
        }
        return new DBusValue("(" + string.Concat(fields.Select(f => f.Signature)) + ")", null, fields);
    }

    public static DBusValue DictEntry(DBusValue key, DBusValue value)
    {
        if (!Protocol.Signature.IsBasic((byte)key.Signature[0]))
        {
            throw new ArgumentException("A dict entry key must be of a basic type", nameof(key));
        }
        return new DBusValue("{" + key.Signature + value.Signature + "}", null, [key, value]);
    }

    public static DBusValue Variant(DBusValue inner) => new("v", null, [inner]);

    public bool Equals(DBusValue? other)
    {
        if (other is null || other.Signature != Signature || other.Items.Count != Items.Count)
        {
            return false;
        }
        bool scalarsEqual = (Scalar, other.Scalar) switch
        {
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
            var (a, b) => Equals(a, b),
        };
        if (!scalarsEqual)
        {
            return false;
        }
        for (int i = 0; i < Items.Count; i++)
        {
            if (!Items[i].Equals(other.Items[i]))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as DBusValue);

    public override int GetHashCode() => HashCode.Combine(Signature, Items.Count);

    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb);
        return sb.ToString();
    }

    private void Append(StringBuilder sb)
    {
        switch (Scalar)
        {
            case byte[] bytes:
                sb.Append("ay[").Append(Convert.ToHexString(bytes)).Append(']');
                return;
            case string s:
                sb.Append(Signature).Append(":\"").Append(s).Append('"');
                return;
            case not null:
                sb.Append(Signature).Append(':').Append(Scalar);
                return;
        }
        sb.Append(Signature).Append('[');
        for (int i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            Items[i].Append(sb);
        }
        sb.Append(']');
    }
}
