namespace Kvm.DBus.Protocol;

/// <summary>Validation of object paths and of interface, member, error and bus names (specification, "Valid Names").</summary>
public static class DBusNames
{
    public static bool IsValidObjectPath(ReadOnlySpan<char> path)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return false;
        }
        if (path.Length == 1)
        {
            return true;
        }
        if (path[^1] == '/')
        {
            return false;
        }
        bool previousSlash = true;
        for (int i = 1; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '/')
            {
                if (previousSlash)
                {
                    return false;
                }
                previousSlash = true;
            }
            else if (IsNameChar(c))
            {
                previousSlash = false;
            }
            else
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Interface names and error names: two or more dot-separated elements of [A-Za-z0-9_], none starting with a digit.</summary>
    public static bool IsValidInterfaceName(ReadOnlySpan<char> name) => IsDottedName(name, allowHyphen: false, allowLeadingDigit: false);

    public static bool IsValidErrorName(ReadOnlySpan<char> name) => IsValidInterfaceName(name);

    /// <summary>Member names: one element of [A-Za-z0-9_], not starting with a digit, at most 255 characters.</summary>
    public static bool IsValidMemberName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > ProtocolLimits.MaxNameLength || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Unique names (":1.42", elements may start with a digit) and well-known names (hyphens allowed).</summary>
    public static bool IsValidBusName(ReadOnlySpan<char> name)
    {
        if (name.Length > 0 && name[0] == ':')
        {
            return IsDottedName(name[1..], allowHyphen: true, allowLeadingDigit: true) && name.Length <= ProtocolLimits.MaxNameLength;
        }
        return IsDottedName(name, allowHyphen: true, allowLeadingDigit: false);
    }

    private static bool IsDottedName(ReadOnlySpan<char> name, bool allowHyphen, bool allowLeadingDigit)
    {
        if (name.Length is 0 or > ProtocolLimits.MaxNameLength)
        {
            return false;
        }
        int elements = 0;
        int elementLength = 0;
        foreach (char c in name)
        {
            if (c == '.')
            {
                if (elementLength == 0)
                {
                    return false;
                }
                elements++;
                elementLength = 0;
                continue;
            }
            bool ok = IsNameChar(c) || (allowHyphen && c == '-');
            if (!ok || (elementLength == 0 && !allowLeadingDigit && char.IsAsciiDigit(c)))
            {
                return false;
            }
            elementLength++;
        }
        return elementLength > 0 && elements >= 1;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
