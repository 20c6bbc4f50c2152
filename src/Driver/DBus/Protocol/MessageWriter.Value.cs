using System.Text;

namespace Kvm.DBus.Protocol;

public ref partial struct MessageWriter
{
    /// <summary>Writes a VARIANT holding <paramref name="value"/> (its signature, then the value); a variant value nests.</summary>
    public void WriteVariant(DBusValue value)
    {
        WriteSignature(value.Signature);
        WriteValue(value);
    }

    public void WriteVariantString(string value) { WriteSignature("s"u8); WriteString(value); }

    public void WriteVariantObjectPath(string value) { WriteSignature("o"u8); WriteObjectPath(value); }

    public void WriteVariantBool(bool value) { WriteSignature("b"u8); WriteBool(value); }

    public void WriteVariantInt32(int value) { WriteSignature("i"u8); WriteInt32(value); }

    public void WriteVariantUInt32(uint value) { WriteSignature("u"u8); WriteUInt32(value); }

    public void WriteVariantInt64(long value) { WriteSignature("x"u8); WriteInt64(value); }

    public void WriteVariantUInt64(ulong value) { WriteSignature("t"u8); WriteUInt64(value); }

    public void WriteVariantDouble(double value) { WriteSignature("d"u8); WriteDouble(value); }

    /// <summary>Writes a value of any type, guided by its signature.</summary>
    public void WriteValue(DBusValue value)
    {
        switch (value.Type)
        {
            case DBusType.Byte: WriteByte((byte)value.Scalar!); break;
            case DBusType.Bool: WriteBool((bool)value.Scalar!); break;
            case DBusType.Int16: WriteInt16((short)value.Scalar!); break;
            case DBusType.UInt16: WriteUInt16((ushort)value.Scalar!); break;
            case DBusType.Int32: WriteInt32((int)value.Scalar!); break;
            case DBusType.UInt32: WriteUInt32((uint)value.Scalar!); break;
            case DBusType.Int64: WriteInt64((long)value.Scalar!); break;
            case DBusType.UInt64: WriteUInt64((ulong)value.Scalar!); break;
            case DBusType.Double: WriteDouble((double)value.Scalar!); break;
            case DBusType.String: WriteString((string)value.Scalar!); break;
            case DBusType.ObjectPath: WriteObjectPath((string)value.Scalar!); break;
            case DBusType.Signature: WriteSignature(Encoding.ASCII.GetBytes((string)value.Scalar!)); break;
            case DBusType.UnixFd: WriteUInt32((uint)value.Scalar!); break;
            case DBusType.Variant: WriteVariant(value.Items[0]); break;
            case DBusType.Array: WriteArrayValue(value); break;
            case DBusType.Struct:
            case DBusType.DictEntry:
                WriteStructStart();
                foreach (DBusValue field in value.Items)
                {
                    WriteValue(field);
                }
                break;
            case DBusType.Invalid:
                ThrowHelper.ThrowArgument("Value without a type", nameof(value));
                break;
        }
    }

    private void WriteArrayValue(DBusValue value)
    {
        ArrayStart start = WriteArrayStart((DBusType)value.Signature[1]);
        if (value.Scalar is byte[] bytes)
        {
            bytes.CopyTo(Reserve(1, bytes.Length));
        }
        else
        {
            foreach (DBusValue item in value.Items)
            {
                WriteValue(item);
            }
        }
        WriteArrayEnd(start);
    }
}
