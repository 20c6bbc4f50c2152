using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;

namespace Kvm.DomainXml.Parsing;

/// <summary>Attribute and element readers with libvirt's error messages (virXMLProp*).</summary>
internal static class XmlRead
{
    public static string? Attr(this XElement e, XName name) => e.Attribute(name)?.Value;

    public static string RequiredAttr(this XElement e, XName name) =>
        e.Attribute(name)?.Value ?? ThrowHelper.Throw<string>(DomainXmlErrorKind.XmlError,
            $"Missing required attribute '{name}' in element '{e.Name.LocalName}'", e, name.LocalName);

    public static T? Enum<T>(this XElement e, XName name, XmlEnum<T> table, bool required = false)
        where T : struct, System.Enum
    {
        string? text = required ? e.RequiredAttr(name) : e.Attr(name);
        if (text is null)
        {
            return null;
        }

        if (!table.TryParse(text, out T value))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{text}'.", e, name.LocalName);
        }

        return value;
    }

    public static ulong? ULong(this XElement e, XName name, bool required = false)
    {
        string? text = required ? e.RequiredAttr(name) : e.Attr(name);
        if (text is null)
        {
            return null;
        }

        if (!TryParseULong(text, out ulong value))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{text}'. Expected non-negative integer value",
                e, name.LocalName);
        }

        return value;
    }

    public static uint? UInt(this XElement e, XName name, bool required = false)
    {
        ulong? value = e.ULong(name, required);
        if (value > uint.MaxValue)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{value}'. Expected integer value", e, name.LocalName);
        }

        return (uint?)value;
    }

    public static int? Int(this XElement e, XName name, bool required = false)
    {
        string? text = required ? e.RequiredAttr(name) : e.Attr(name);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{text}'. Expected integer value", e, name.LocalName);
        }

        return value;
    }

    /// <summary>libvirt's yes/no tristate (virTristateBool).</summary>
    public static bool? YesNo(this XElement e, XName name) => e.Attr(name) switch
    {
        null => null,
        "yes" => true,
        "no" => false,
        var text => ThrowHelper.Throw<bool?>(DomainXmlErrorKind.XmlError,
            $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{text}'.", e, name.LocalName),
    };

    /// <summary>libvirt's on/off tristate (virTristateSwitch).</summary>
    public static bool? OnOff(this XElement e, XName name) => e.Attr(name) switch
    {
        null => null,
        "on" => true,
        "off" => false,
        var text => ThrowHelper.Throw<bool?>(DomainXmlErrorKind.XmlError,
            $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{text}'.", e, name.LocalName),
    };

    /// <summary>Decimal, or hexadecimal with 0x, as virStrToLong_ull with base 0 for the common cases.</summary>
    public static bool TryParseULong(string text, out ulong value)
    {
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static string Text(this XElement e) => Canonical.CanonicalWriter.TextOf(e);

    public static string YesNoText(bool value) => value ? "yes" : "no";

    public static string OnOffText(bool value) => value ? "on" : "off";

    /// <summary>Sets or removes an attribute, keeping the others in place.</summary>
    public static void Set(this XElement e, XName name, string? value) => e.SetAttributeValue(name, value);
}
