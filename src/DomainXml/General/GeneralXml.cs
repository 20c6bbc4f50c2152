using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.General;

/// <summary>The domain's identity: type, id, name, uuid, genid, title, description.</summary>
internal static class GeneralXml
{
    public sealed record Identity(string VirtType, int? Id, string Name, Guid Uuid, Guid? Genid, string? Title, string? Description);

    private static readonly HashSet<string> s_virtTypes =
    [
        "none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware", "hyperv", "vbox", "phyp",
        "parallels", "bhyve", "vz", "hvf", "ch",
    ];

    public static Identity Parse(XElement domain, DomainParseFlags flags)
    {
        string type = domain.RequiredAttr(XmlNames.Type);
        if (!s_virtTypes.Contains(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute 'type' in element 'domain': '{type}'.", domain, "type");
        }

        int? id = (flags & DomainParseFlags.Inactive) != 0 ? null : domain.Int(XmlNames.Id);
        var nameElement = domain.Element(XmlNames.Name);
        string name = nameElement?.Text() is { Length: > 0 } n
            ? n
            : ThrowHelper.Throw<string>(DomainXmlErrorKind.XmlError, "missing name information", domain);
        // Without a <uuid>, the SMBIOS system UUID is the domain's (virSysinfoSystemParseXML).
        Guid uuid = ParseUuid(domain.Element(XmlNames.Uuid), "uuid") ?? SysinfoUuid(domain) ?? Guid.NewGuid();
        Guid? genid = null;
        if (domain.Element(XmlNames.Genid) is { } genidElement)
        {
            genid = genidElement.Text().Length == 0 ? Guid.Empty : ParseUuid(genidElement, "genid");
        }

        string? title = domain.Element(XmlNames.Title)?.Text();
        return new Identity(type, id, name, uuid, genid, title, domain.Element(XmlNames.Description)?.Text());
    }

    /// <summary>The first well-formed <c>&lt;sysinfo type='smbios'&gt;&lt;system&gt;&lt;entry name='uuid'&gt;</c>.</summary>
    internal static Guid? SysinfoUuid(XElement domain)
    {
        var entry = domain.Elements(XmlNames.Sysinfo).Where(s => s.Attr(XmlNames.Type) == "smbios")
            .SelectMany(s => s.Elements(XmlNames.System)).SelectMany(s => s.Elements(XmlNames.Entry))
            .FirstOrDefault(e => e.Attr(XmlNames.Name) == "uuid");
        return entry is null || !TryParseUuid(entry.Text(), out Guid uuid) ? null : uuid;
    }

    /// <summary>libvirt's UUID syntax: 32 hex digits, dashes anywhere, surrounding blanks allowed.</summary>
    internal static Guid? ParseUuid(XElement? element, string what)
    {
        if (element is null)
        {
            return null;
        }

        if (!TryParseUuid(element.Text(), out Guid uuid))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"malformed {what} element", element);
        }

        return uuid;
    }

    /// <summary>libvirt's UUID syntax (virUUIDParse): 32 hex digits, dashes anywhere, surrounding blanks allowed.</summary>
    internal static bool TryParseUuid(string text, out Guid uuid)
    {
        uuid = Guid.Empty;
        Span<char> hex = stackalloc char[32];
        int n = 0;
        foreach (char c in text.AsSpan().Trim())
        {
            if (c == '-')
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c) || n == 32)
            {
                n = -1;
                break;
            }

            hex[n++] = c;
        }

        if (n != 32)
        {
            return false;
        }

        uuid = Guid.ParseExact(hex, "N");
        return true;
    }

    public static void Validate(Identity identity, XElement domain)
    {
        if (identity.Name.Contains('/'))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"name {identity.Name} cannot contain '/'", domain.Element(XmlNames.Name));
        }

        if (identity.Title is { } title && (title.Contains('\n') || title.Contains('\r')))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Domain title can't contain newlines", domain.Element(XmlNames.Title));
        }
    }

    public static void Format(Identity identity, XElement domain)
    {
        domain.Set(XmlNames.Id, identity.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetChildText(domain, "uuid", identity.Uuid.ToString("D"));
        if (identity.Genid is { } genid && genid != Guid.Empty)
        {
            SetChildText(domain, "genid", genid.ToString("D"));
        }
    }

    internal static XElement SetChildText(XElement parent, string name, string text)
    {
        var child = parent.Element(name);
        if (child is null)
        {
            child = new XElement(name);
            parent.Add(child);
        }

        child.Value = text;
        return child;
    }
}
