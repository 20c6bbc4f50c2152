using System.Text;
using System.Xml.Linq;

namespace Kvm.DomainXml.Canonical;

/// <summary>
/// Writes <c>&lt;metadata&gt;</c> as libvirt does: its content is the applications' own XML, dumped by libxml2
/// (double quotes, each child declaring its namespace, whitespace-only text dropped, re-indented).
/// </summary>
internal static class MetadataWriter
{
    public static void Write(StringBuilder sb, XElement metadata, int indent)
    {
        if (!metadata.Elements().Any())
        {
            sb.Append(' ', indent).Append("<metadata/>\n");
            return;
        }

        sb.Append(' ', indent).Append("<metadata>\n");
        foreach (var child in metadata.Elements())
        {
            sb.Append(' ', indent + 2);
            WriteNode(sb, child, indent + 2, declareOwnNamespace: true);
            sb.Append('\n');
        }

        sb.Append(' ', indent).Append("</metadata>\n");
    }

    private static void WriteNode(StringBuilder sb, XElement element, int indent, bool declareOwnNamespace)
    {
        string name = NameOf(element);
        sb.Append('<').Append(name);
        if (declareOwnNamespace && element.Name.Namespace != XNamespace.None)
        {
            string? prefix = element.GetPrefixOfNamespace(element.Name.Namespace);
            sb.Append(prefix is null ? " xmlns" : " xmlns:" + prefix).Append("=\"");
            XmlEscape.AppendLibxmlAttribute(sb, element.Name.NamespaceName);
            sb.Append('"');
        }

        foreach (var a in element.Attributes())
        {
            if (a.IsNamespaceDeclaration)
            {
                continue;
            }

            sb.Append(' ');
            if (a.Name.Namespace != XNamespace.None && element.GetPrefixOfNamespace(a.Name.Namespace) is { } ap)
            {
                sb.Append(ap).Append(':');
            }

            sb.Append(a.Name.LocalName).Append("=\"");
            XmlEscape.AppendLibxmlAttribute(sb, a.Value);
            sb.Append('"');
        }

        if (!element.HasElements)
        {
            string text = CanonicalWriter.TextOf(element);
            if (text.Length == 0)
            {
                sb.Append("/>");
                return;
            }

            sb.Append('>');
            XmlEscape.AppendLibxmlText(sb, text);
            sb.Append("</").Append(name).Append('>');
            return;
        }

        sb.Append('>');
        foreach (var node in element.Nodes())
        {
            if (node is XElement child)
            {
                sb.Append('\n').Append(' ', indent + 2);
                WriteNode(sb, child, indent + 2, declareOwnNamespace: child.Name.Namespace != element.Name.Namespace);
            }
            else if (node is XText text && !string.IsNullOrWhiteSpace(text.Value))
            {
                XmlEscape.AppendLibxmlText(sb, text.Value);
            }
        }

        sb.Append('\n').Append(' ', indent).Append("</").Append(name).Append('>');
    }

    private static string NameOf(XElement element)
    {
        if (element.Name.Namespace == XNamespace.None)
        {
            return element.Name.LocalName;
        }

        string? prefix = element.GetPrefixOfNamespace(element.Name.Namespace);
        return prefix is null ? element.Name.LocalName : prefix + ":" + element.Name.LocalName;
    }
}
