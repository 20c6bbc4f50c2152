using System.Text;

namespace Kvm.DBus.Protocol;

/// <summary>
/// Type signatures (specification, "Type System" and "Valid Signatures"): validation, splitting into
/// complete types and the alignment of each type code.
/// </summary>
public static class Signature
{
    /// <summary>True when <paramref name="signature"/> is a valid sequence of zero or more complete types.</summary>
    public static bool IsValid(ReadOnlySpan<byte> signature)
    {
        if (signature.Length > ProtocolLimits.MaxSignatureLength)
        {
            return false;
        }
        int pos = 0;
        while (pos < signature.Length)
        {
            if (!TryParseCompleteType(signature, pos, 0, 0, out pos))
            {
                return false;
            }
        }
        return true;
    }

    public static bool IsValid(string signature) =>
        signature.Length <= ProtocolLimits.MaxSignatureLength && IsValid(Encoding.ASCII.GetBytes(signature));

    /// <summary>True when <paramref name="signature"/> is exactly one complete type, as a variant's signature must be.</summary>
    public static bool IsSingleCompleteType(ReadOnlySpan<byte> signature) =>
        signature.Length is > 0 and <= ProtocolLimits.MaxSignatureLength
        && TryParseCompleteType(signature, 0, 0, 0, out int end)
        && end == signature.Length;

    /// <summary>The length of the first complete type of a valid signature, or -1 when it is not one.</summary>
    public static int GetFirstCompleteTypeLength(ReadOnlySpan<byte> signature) =>
        TryParseCompleteType(signature, 0, 0, 0, out int end) ? end : -1;

    /// <summary>Counts the complete types of a valid signature.</summary>
    public static int CountCompleteTypes(ReadOnlySpan<byte> signature)
    {
        int count = 0;
        int pos = 0;
        while (pos < signature.Length && TryParseCompleteType(signature, pos, 0, 0, out pos))
        {
            count++;
        }
        return count;
    }

    /// <summary>The alignment in bytes of a type code (specification, "Marshaling").</summary>
    public static int GetAlignment(DBusType type) => type switch
    {
        DBusType.Byte or DBusType.Signature or DBusType.Variant => 1,
        DBusType.Int16 or DBusType.UInt16 => 2,
        DBusType.Bool or DBusType.Int32 or DBusType.UInt32 or DBusType.UnixFd
            or DBusType.String or DBusType.ObjectPath or DBusType.Array => 4,
        DBusType.Int64 or DBusType.UInt64 or DBusType.Double or DBusType.Struct or DBusType.DictEntry => 8,
        DBusType.Invalid => 1,
    };

    /// <summary>True for the basic (non-container) type codes, the only ones allowed as dictionary keys.</summary>
    public static bool IsBasic(byte code) => code switch
    {
        (byte)'y' or (byte)'b' or (byte)'n' or (byte)'q' or (byte)'i' or (byte)'u' or (byte)'x' or (byte)'t'
            or (byte)'d' or (byte)'s' or (byte)'o' or (byte)'g' or (byte)'h' => true,
        _ => false,
    };

    private static bool TryParseCompleteType(ReadOnlySpan<byte> sig, int pos, int arrayDepth, int structDepth, out int end)
    {
        end = pos;
        if (pos >= sig.Length)
        {
            return false;
        }
        byte code = sig[pos];
        if (IsBasic(code) || code == (byte)'v')
        {
            end = pos + 1;
            return true;
        }
        if (code == (byte)'a')
        {
            if (++arrayDepth > ProtocolLimits.MaxArrayDepth || pos + 1 >= sig.Length)
            {
                return false;
            }
            if (sig[pos + 1] == (byte)'{')
            {
                return TryParseDictEntry(sig, pos + 1, arrayDepth, structDepth, out end);
            }
            return TryParseCompleteType(sig, pos + 1, arrayDepth, structDepth, out end);
        }
        if (code == (byte)'(')
        {
            if (++structDepth > ProtocolLimits.MaxStructDepth)
            {
                return false;
            }
            int p = pos + 1;
            int fields = 0;
            while (p < sig.Length && sig[p] != (byte)')')
            {
                if (!TryParseCompleteType(sig, p, arrayDepth, structDepth, out p))
                {
                    return false;
                }
                fields++;
            }
            if (p >= sig.Length || fields == 0)
            {
                return false;
            }
            end = p + 1;
            return true;
        }
        return false; // ')', '{', '}' out of place, or an unknown code
    }

    // A dict entry counts as a struct for the nesting limit, as libdbus counts it.
    private static bool TryParseDictEntry(ReadOnlySpan<byte> sig, int pos, int arrayDepth, int structDepth, out int end)
    {
        end = pos;
        if (++structDepth > ProtocolLimits.MaxStructDepth || pos + 2 >= sig.Length || !IsBasic(sig[pos + 1]))
        {
            return false;
        }
        if (!TryParseCompleteType(sig, pos + 2, arrayDepth, structDepth, out int p) || p >= sig.Length || sig[p] != (byte)'}')
        {
            return false;
        }
        end = p + 1;
        return true;
    }
}
