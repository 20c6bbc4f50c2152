using System.Xml.Linq;
using Kvm.DomainXml.Canonical;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml;

/// <summary>Writes a parsed domain in libvirt's canonical form (virDomainDefFormat).</summary>
public static class DomainXmlFormatter
{
    /// <summary>Attributes that carry secrets; written only with <see cref="DomainFormatFlags.Secure"/>.</summary>
    private static readonly (string Element, string Attribute)[] s_secrets =
    [
        ("graphics", "passwd"),
        ("cookie", string.Empty),
    ];

    public static string Format(DomainDocument document, DomainFormatFlags flags = DomainFormatFlags.Secure)
    {
        var root = document.Root;
        if ((flags & (DomainFormatFlags.Inactive | DomainFormatFlags.Secure)) != DomainFormatFlags.Secure)
        {
            root = new XElement(root);
            if ((flags & DomainFormatFlags.Inactive) != 0)
            {
                root.SetAttributeValue(XmlNames.Id, null);
            }

            if ((flags & DomainFormatFlags.Secure) == 0)
            {
                RemoveSecrets(root);
            }
        }

        return CanonicalWriter.Write(root);
    }

    private static void RemoveSecrets(XElement root)
    {
        foreach (var (element, attribute) in s_secrets)
        {
            foreach (var e in root.Descendants(element).ToList())
            {
                if (attribute.Length == 0)
                {
                    e.Remove();
                }
                else
                {
                    e.SetAttributeValue(attribute, null);
                }
            }
        }
    }
}
