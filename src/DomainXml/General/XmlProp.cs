using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.General;

/// <summary>
/// The attribute checks of libvirt's virXMLProp* readers that <see cref="XmlRead"/> does not make (required on/off
/// switches, non-zero numbers), and the "unknown X 'value'" form most device parsers use for their enums.
/// </summary>
internal static class XmlProp
{
    /// <summary>An enum attribute whose unknown values libvirt reports as <c>unknown {what} '{value}'</c>.</summary>
    public static T? EnumNamed<T>(this XElement e, string name, XmlEnum<T> table, string what,
        DomainXmlErrorKind kind = DomainXmlErrorKind.ConfigUnsupported)
        where T : struct, Enum
    {
        if (e.Attr(name) is not { } text)
        {
            return null;
        }

        if (!table.TryParse(text, out T value))
        {
            ThrowHelper.Throw(kind, $"unknown {what} '{text}'", e, name);
        }

        return value;
    }

    /// <summary>A required on/off attribute (virXMLPropTristateSwitch with VIR_XML_PROP_REQUIRED).</summary>
    public static bool RequiredOnOff(this XElement e, string name)
    {
        e.RequiredAttr(name);
        return e.OnOff(name)!.Value;
    }

    /// <summary>An unsigned attribute that may not be 0 (VIR_XML_PROP_NONZERO).</summary>
    public static uint? NonZeroUInt(this XElement e, string name, bool required = false)
    {
        uint? value = e.UInt(name, required);
        if (value == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': Zero is not permitted", e, name);
        }

        return value;
    }

    /// <summary>An attribute that must name a member of <paramref name="names"/> (virXMLPropEnum over a name list).</summary>
    public static string? OneOf(this XElement e, string name, IReadOnlySet<string> names)
    {
        string? text = e.Attr(name);
        if (text is not null && !names.Contains(text))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{text}'.", e, name);
        }

        return text;
    }
}
