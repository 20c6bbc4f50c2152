using System.Text;
using System.Xml.Linq;

namespace Kvm.DomainXml.Errors;

/// <summary>Where a problem is: file, line:column and the element path (<c>/domain/devices/disk[2]/target/@bus</c>).</summary>
public readonly record struct SourceLocation(string? File, int Line, int Column, string Path)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(File ?? "(input)");
        if (Line > 0)
        {
            sb.Append(':').Append(Line).Append(':').Append(Column);
        }

        if (Path.Length > 0)
        {
            sb.Append(": ").Append(Path);
        }

        return sb.ToString();
    }

    /// <summary>The location of an element, or of one of its attributes when <paramref name="attribute"/> is given.</summary>
    public static SourceLocation Of(XElement element, string? attribute = null)
    {
        var info = element.Annotation<LineInfo>();
        string? file = element.Document?.Annotation<DocumentSource>()?.File
            ?? FindRoot(element).Annotation<DocumentSource>()?.File;
        string path = PathOf(element) + (attribute is null ? string.Empty : "/@" + attribute);
        return new SourceLocation(file, info?.Line ?? 0, info?.Column ?? 0, path);
    }

    private static XElement FindRoot(XElement e)
    {
        while (e.Parent is not null)
        {
            e = e.Parent;
        }

        return e;
    }

    /// <summary>An XPath-like path; an index is given where siblings share the name.</summary>
    public static string PathOf(XElement element)
    {
        var parts = new List<string>();
        for (XElement? e = element; e is not null; e = e.Parent)
        {
            string name = e.Name.LocalName;
            if (e.Parent is not null)
            {
                int index = 0, count = 0;
                foreach (var sibling in e.Parent.Elements(e.Name))
                {
                    count++;
                    if (ReferenceEquals(sibling, e))
                    {
                        index = count;
                    }
                }

                if (count > 1)
                {
                    name += "[" + index + "]";
                }
            }

            parts.Add(name);
        }

        parts.Reverse();
        return "/" + string.Join('/', parts);
    }
}

/// <summary>Line and column of an element in its source, kept as an annotation by the loader.</summary>
public sealed record LineInfo(int Line, int Column);

/// <summary>The file a document came from, kept as an annotation on its root element.</summary>
public sealed record DocumentSource(string? File);
