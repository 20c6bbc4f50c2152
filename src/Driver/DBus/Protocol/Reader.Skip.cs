namespace Kvm.DBus.Protocol;

public ref partial struct Reader
{
    /// <summary>Checks and skips every value of a body signature without allocating (strings, names and limits validated).</summary>
    public void SkipValues(scoped ReadOnlySpan<byte> signature)
    {
        while (signature.Length > 0)
        {
            int length = Signature.GetFirstCompleteTypeLength(signature);
            if (length <= 0)
            {
                ThrowHelper.ThrowRead("Invalid signature", _offset);
            }
            SkipValue(signature[..length]);
            signature = signature[length..];
        }
    }

    /// <summary>Checks and skips one value of the single complete type <paramref name="signature"/>.</summary>
    public void SkipValue(scoped ReadOnlySpan<byte> signature)
    {
        int at = _offset;
        switch ((DBusType)signature[0])
        {
            case DBusType.Byte: Take(1, 1); break;
            case DBusType.Bool: ReadBool(); break;
            case DBusType.Int16:
            case DBusType.UInt16: Take(2, 2); break;
            case DBusType.Int32:
            case DBusType.UInt32: Take(4, 4); break;
            case DBusType.Int64:
            case DBusType.UInt64:
            case DBusType.Double: Take(8, 8); break;
            case DBusType.String: ReadStringAsSpan(); break;
            case DBusType.ObjectPath: SkipObjectPath(at); break;
            case DBusType.Signature: ReadSignatureAsSpan(); break;
            case DBusType.UnixFd: ReadHandleIndex(); break;
            case DBusType.Variant: SkipVariant(at); break;
            case DBusType.Array: SkipArray(signature, at); break;
            case DBusType.Struct:
                if (++_structDepth > ProtocolLimits.MaxStructDepth)
                {
                    ThrowHelper.ThrowRead("Structs nested deeper than 32", at);
                }
                AlignStruct();
                SkipValues(signature[1..^1]);
                _structDepth--;
                break;
            default:
                ThrowHelper.ThrowRead("Unexpected type code in signature", at);
                break;
        }
    }

    private void SkipObjectPath(int at)
    {
        ReadOnlySpan<byte> utf8 = ReadStringAsSpan();
        Span<char> chars = utf8.Length <= 256 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        for (int i = 0; i < utf8.Length; i++)
        {
            chars[i] = (char)utf8[i];
        }
        if (!DBusNames.IsValidObjectPath(chars))
        {
            ThrowHelper.ThrowRead("Invalid object path", at);
        }
    }

    private void SkipVariant(int at)
    {
        ReadOnlySpan<byte> sig = ReadSignatureAsSpan();
        if (!Signature.IsSingleCompleteType(sig))
        {
            ThrowHelper.ThrowRead("Variant signature is not a single complete type", at);
        }
        if (++_variantDepth > ProtocolLimits.MaxVariantDepth)
        {
            ThrowHelper.ThrowRead("Variants nested deeper than 64", at);
        }
        SkipValue(sig);
        _variantDepth--;
    }

    private void SkipArray(scoped ReadOnlySpan<byte> signature, int at)
    {
        if (++_arrayDepth > ProtocolLimits.MaxArrayDepth)
        {
            ThrowHelper.ThrowRead("Arrays nested deeper than 32", at);
        }
        ReadOnlySpan<byte> element = signature[1..];
        ArrayEnd end = ReadArrayStart((DBusType)element[0]);
        if (element[0] == (byte)DBusType.Byte)
        {
            _offset = end.EndOffset;
        }
        while (HasNext(end))
        {
            if (element[0] == (byte)DBusType.DictEntry)
            {
                if (++_structDepth > ProtocolLimits.MaxStructDepth)
                {
                    ThrowHelper.ThrowRead("Dict entries nested deeper than 32", _offset);
                }
                AlignStruct();
                SkipValue(element[1..2]);
                SkipValue(element[2..^1]);
                _structDepth--;
            }
            else
            {
                SkipValue(element);
            }
        }
        _arrayDepth--;
    }
}
