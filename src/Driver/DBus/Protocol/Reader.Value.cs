using System.Text;

namespace Kvm.DBus.Protocol;

public ref partial struct Reader
{
    /// <summary>Reads a VARIANT: its signature (one complete type) and the value.</summary>
    public DBusValue ReadVariant()
    {
        int at = _offset;
        ReadOnlySpan<byte> sig = ReadSignatureAsSpan();
        if (!Signature.IsSingleCompleteType(sig))
        {
            ThrowHelper.ThrowRead("Variant signature is not a single complete type", at);
        }
        if (++_variantDepth > ProtocolLimits.MaxVariantDepth)
        {
            ThrowHelper.ThrowRead("Variants nested deeper than 64", at);
        }
        DBusValue inner = ReadValue(sig);
        _variantDepth--;
        return DBusValue.Variant(inner);
    }

    /// <summary>Reads one value of the single complete type <paramref name="signature"/>.</summary>
    public DBusValue ReadValue(ReadOnlySpan<byte> signature)
    {
        int at = _offset;
        switch ((DBusType)signature[0])
        {
            case DBusType.Byte: return DBusValue.Byte(ReadByte());
            case DBusType.Bool: return DBusValue.Bool(ReadBool());
            case DBusType.Int16: return DBusValue.Int16(ReadInt16());
            case DBusType.UInt16: return DBusValue.UInt16(ReadUInt16());
            case DBusType.Int32: return DBusValue.Int32(ReadInt32());
            case DBusType.UInt32: return DBusValue.UInt32(ReadUInt32());
            case DBusType.Int64: return DBusValue.Int64(ReadInt64());
            case DBusType.UInt64: return DBusValue.UInt64(ReadUInt64());
            case DBusType.Double: return DBusValue.Double(ReadDouble());
            case DBusType.String: return DBusValue.String(ReadString());
            case DBusType.ObjectPath: return DBusValue.ObjectPath(ReadObjectPath());
            case DBusType.Signature: return DBusValue.SignatureValue(ReadSignature());
            case DBusType.UnixFd: return DBusValue.UnixFdIndex((uint)ReadHandleIndex());
            case DBusType.Variant: return ReadVariant();
            case DBusType.Array: return ReadArrayValue(signature, at);
            case DBusType.Struct: return ReadStructValue(signature, at);
            default: return ThrowHelper.ThrowRead<DBusValue>("Unexpected type code in signature", at);
        }
    }

    /// <summary>Reads every value of a body signature, in order.</summary>
    public List<DBusValue> ReadValues(ReadOnlySpan<byte> signature)
    {
        var values = new List<DBusValue>();
        while (signature.Length > 0)
        {
            int length = Signature.GetFirstCompleteTypeLength(signature);
            if (length <= 0)
            {
                ThrowHelper.ThrowRead("Invalid signature", _offset);
            }
            values.Add(ReadValue(signature[..length]));
            signature = signature[length..];
        }
        return values;
    }

    private DBusValue ReadArrayValue(ReadOnlySpan<byte> signature, int at)
    {
        if (++_arrayDepth > ProtocolLimits.MaxArrayDepth)
        {
            ThrowHelper.ThrowRead("Arrays nested deeper than 32", at);
        }
        ReadOnlySpan<byte> element = signature[1..];
        DBusType elementType = (DBusType)element[0];
        ArrayEnd end = ReadArrayStart(elementType);
        DBusValue result;
        if (elementType == DBusType.Byte)
        {
            result = DBusValue.ByteArray(_data[_offset..end.EndOffset].ToArray());
            _offset = end.EndOffset;
        }
        else
        {
            var items = new List<DBusValue>();
            while (HasNext(end))
            {
                items.Add(elementType == DBusType.DictEntry ? ReadDictEntryValue(element) : ReadValue(element));
            }
            result = DBusValue.Array(Encoding.ASCII.GetString(element), items);
        }
        _arrayDepth--;
        return result;
    }

    private DBusValue ReadStructValue(ReadOnlySpan<byte> signature, int at)
    {
        if (++_structDepth > ProtocolLimits.MaxStructDepth)
        {
            ThrowHelper.ThrowRead("Structs nested deeper than 32", at);
        }
        AlignStruct();
        List<DBusValue> fields = ReadValues(signature[1..^1]);
        _structDepth--;
        return DBusValue.Struct([.. fields]);
    }

    private DBusValue ReadDictEntryValue(ReadOnlySpan<byte> signature)
    {
        int at = _offset;
        if (++_structDepth > ProtocolLimits.MaxStructDepth)
        {
            ThrowHelper.ThrowRead("Dict entries nested deeper than 32", at);
        }
        AlignStruct();
        ReadOnlySpan<byte> inner = signature[1..^1];
        DBusValue key = ReadValue(inner[..1]);
        DBusValue value = ReadValue(inner[1..]);
        _structDepth--;
        return DBusValue.DictEntry(key, value);
    }
}
