using System.Text;

namespace Kvm.DomainXml.Canonical;

/// <summary>Escaping as libvirt's formatter does it (virBufferEscapeString) and as libxml2 dumps metadata.</summary>
internal static class XmlEscape
{
    private static readonly System.Buffers.SearchValues<char> s_libvirtSpecial =
        System.Buffers.SearchValues.Create("<>&'\"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    /// <summary>libvirt: the five markup characters become entities, control characters other than tab and newlines are dropped.</summary>
    public static void AppendLibvirt(StringBuilder sb, string value)
    {
        ReadOnlySpan<char> rest = value;
        while (true)
        {
            int i = rest.IndexOfAny(s_libvirtSpecial);
            if (i < 0)
            {
                sb.Append(rest);
                return;
            }

            sb.Append(rest[..i]);
            switch (rest[i])
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\'': sb.Append("&apos;"); break;
                case '"': sb.Append("&quot;"); break;
                default: break;
            }

            rest = rest[(i + 1)..];
        }
    }

    /// <summary>libxml2's xmlNodeDump: text escapes &lt; &gt; &amp; and CR.</summary>
    public static void AppendLibxmlText(StringBuilder sb, string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\r': sb.Append("&#13;"); break;
                default: sb.Append(c); break;
            }
        }
    }

    /// <summary>libxml2's attribute escaping: &lt; &gt; &amp; &quot; and the whitespace controls as character references.</summary>
    public static void AppendLibxmlAttribute(StringBuilder sb, string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\n': sb.Append("&#10;"); break;
                case '\r': sb.Append("&#13;"); break;
                case '\t': sb.Append("&#9;"); break;
                default: sb.Append(c); break;
            }
        }
    }
}
