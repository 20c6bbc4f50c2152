using System.Text;
using System.Xml.Linq;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Canonical;

/// <summary>
/// Writes an element tree in libvirt's canonical form: single-quoted attributes, two-space indentation,
/// libvirt's escaping, children and attributes in the formatter's order (<see cref="CanonicalOrder"/>). Names the
/// table does not know keep their place after the sibling that preceded them in the input.
/// </summary>
public static class CanonicalWriter
{
    private const int MaxCachedBuilder = 256 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    public static string Write(XElement domain)
    {
        var sb = t_builder ?? new StringBuilder(8192);
        t_builder = null;
        sb.Clear();
        WriteElement(sb, domain, CanonicalOrder.Domain, 0, isRoot: true);
        string result = sb.ToString();
        if (sb.Capacity <= MaxCachedBuilder)
        {
            t_builder = sb;
        }

        return result;
    }

    private static void WriteElement(StringBuilder sb, XElement element, CanonicalOrder? order, int indent, bool isRoot)
    {
        string name = QualifiedName(element, out string? declareUri);
        sb.Append(' ', indent).Append('<').Append(name);
        WriteAttributes(sb, element, order);
        if (declareUri is not null)
        {
            sb.Append(" xmlns:").Append(name.AsSpan(0, name.IndexOf(':'))).Append("='");
            XmlEscape.AppendLibvirt(sb, declareUri);
            sb.Append('\'');
        }

        if (isRoot)
        {
            WriteDriverNamespaces(sb, element);
        }

        if (!element.HasElements)
        {
            string text = TextOf(element);
            if (text.Length == 0)
            {
                // libvirt writes <devices> as an open/close pair even when it is empty.
                sb.Append(isRoot || element.Name.LocalName != "devices" || element.Parent?.Parent is not null
                    ? "/>\n"
                    : ">\n" + new string(' ', indent) + "</devices>\n");
                return;
            }

            sb.Append('>');
            XmlEscape.AppendLibvirt(sb, text);
            sb.Append("</").Append(name).Append(">\n");
            return;
        }

        sb.Append(">\n");
        foreach (var child in OrderedChildren(element, order))
        {
            if (child is XText text)
            {
                if (!string.IsNullOrWhiteSpace(text.Value))
                {
                    sb.Append(' ', indent + 2);
                    XmlEscape.AppendLibvirt(sb, text.Value.Trim());
                    sb.Append('\n');
                }

                continue;
            }

            var childElement = (XElement)child;
            if (isRoot && childElement.Name == XmlNames.Metadata)
            {
                MetadataWriter.Write(sb, childElement, indent + 2);
                continue;
            }

            string childName = OrderName(childElement.Name);
            WriteElement(sb, childElement, order?.Child(childName), indent + 2, isRoot: false);
        }

        sb.Append(' ', indent).Append("</").Append(name).Append(">\n");
    }

    private static void WriteAttributes(StringBuilder sb, XElement element, CanonicalOrder? order)
    {
        XAttribute? first = element.FirstAttribute;
        if (first is null)
        {
            return;
        }

        if (first.NextAttribute is null)
        {
            WriteAttribute(sb, first);
            return;
        }

        // Attributes the table does not order keep their place after the attribute that preceded them.
        var attributes = new List<(int Rank, int Index, XAttribute Attribute)>();
        int index = 0, lastRank = -1;
        for (var a = first; a is not null; a = a.NextAttribute)
        {
            if (a.IsNamespaceDeclaration)
            {
                continue;
            }

            int rank = order?.AttributeRank(OrderName(a.Name)) ?? -1;
            if (rank >= 0)
            {
                lastRank = rank;
            }

            attributes.Add((rank >= 0 ? rank : lastRank, index++, a));
        }

        attributes.Sort(static (x, y) => x.Rank != y.Rank ? x.Rank.CompareTo(y.Rank) : x.Index.CompareTo(y.Index));
        foreach (var (_, _, a) in attributes)
        {
            WriteAttribute(sb, a);
        }
    }

    private static void WriteAttribute(StringBuilder sb, XAttribute a)
    {
        if (a.IsNamespaceDeclaration)
        {
            return;
        }

        sb.Append(' ').Append(OrderName(a.Name)).Append("='");
        XmlEscape.AppendLibvirt(sb, a.Value);
        sb.Append('\'');
    }

    private static IEnumerable<XNode> OrderedChildren(XElement element, CanonicalOrder? order)
    {
        if (IsInOrder(element, order))
        {
            return element.Nodes();
        }

        var keyed = new List<(int Rank, int Index, XNode Node)>();
        int index = 0, lastRank = -1;
        foreach (var node in element.Nodes())
        {
            if (node is XElement e)
            {
                int rank = order?.ChildRank(OrderName(e.Name)) ?? -1;
                if (rank >= 0)
                {
                    lastRank = rank;
                }

                keyed.Add((rank >= 0 ? rank : lastRank, index++, node));
            }
            else if (node is XText)
            {
                keyed.Add((lastRank, index++, node));
            }
        }

        keyed.Sort(static (x, y) => x.Rank != y.Rank ? x.Rank.CompareTo(y.Rank) : x.Index.CompareTo(y.Index));
        var result = new List<XNode>(keyed.Count);
        foreach (var k in keyed)
        {
            result.Add(k.Node);
        }

        return result;
    }

    /// <summary>True when the children already follow the table, the common case for libvirt-written XML.</summary>
    private static bool IsInOrder(XElement element, CanonicalOrder? order)
    {
        if (order is null)
        {
            return true;
        }

        int lastRank = -1;
        for (var node = element.FirstNode; node is not null; node = node.NextNode)
        {
            if (node is XElement e)
            {
                int rank = order.ChildRank(OrderName(e.Name));
                if (rank >= 0)
                {
                    if (rank < lastRank)
                    {
                        return false;
                    }

                    lastRank = rank;
                }
            }
        }

        return true;
    }

    /// <summary>The name used in the order table: driver namespaces by libvirt's prefix, others by local name.</summary>
    internal static string OrderName(XName name)
    {
        if (name.Namespace == XNamespace.None)
        {
            return name.LocalName;
        }

        string? prefix = KnownNamespaces.PrefixOf(name.Namespace);
        return prefix is null ? name.LocalName : prefix + ":" + name.LocalName;
    }

    private static string QualifiedName(XElement element, out string? declareUri)
    {
        declareUri = null;
        var ns = element.Name.Namespace;
        if (ns == XNamespace.None)
        {
            return element.Name.LocalName;
        }

        string? prefix = KnownNamespaces.PrefixOf(ns);
        if (prefix is not null)
        {
            return prefix + ":" + element.Name.LocalName;
        }

        // A namespace libvirt does not know: keep the input's prefix, declared where it first appears.
        prefix = element.GetPrefixOfNamespace(ns) ?? "ns0";
        if (element.Parent is null || element.Parent.Name.Namespace != ns)
        {
            declareUri = ns.NamespaceName;
        }

        return prefix + ":" + element.Name.LocalName;
    }

    private static void WriteDriverNamespaces(StringBuilder sb, XElement root)
    {
        var declared = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var child in root.Elements())
        {
            if (child.Name.Namespace != XNamespace.None && KnownNamespaces.PrefixOf(child.Name.Namespace) is { } prefix
                && declared.Add(prefix))
            {
                sb.Append(" xmlns:").Append(prefix).Append("='").Append(child.Name.NamespaceName).Append('\'');
            }
        }
    }

    internal static string TextOf(XElement element)
    {
        var first = element.FirstNode;
        if (first is null)
        {
            return string.Empty;
        }

        if (first.NextNode is null && first is XText t)
        {
            return t.Value;
        }

        var sb = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            if (node is XText text)
            {
                sb.Append(text.Value);
            }
        }

        return sb.ToString();
    }
}
