using System.Xml;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;

namespace Kvm.DomainXml.Reading;

/// <summary>
/// Reads XML text into an element tree with line numbers, refusing DTDs and entities (XXE, billion laughs) and
/// enforcing the size and depth limits while reading.
/// </summary>
public static class XmlDocumentLoader
{
    public static XElement Load(string text, string? file, DomainXmlLimits limits)
    {
        if (text.Length > limits.MaxCharacters)
        {
            throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                $"document is {text.Length} characters long, more than the limit of {limits.MaxCharacters}",
                new SourceLocation(file, 0, 0, string.Empty));
        }

        AttributeCountScan.Check(text, file, limits.MaxAttributesPerElement);
        var settings = SettingsFor(limits);
        using var reader = XmlReader.Create(new StringReader(text), settings);
        var lineInfo = (IXmlLineInfo)reader;
        try
        {
            return ReadTree(reader, lineInfo, file, limits);
        }
        catch (XmlException e)
        {
            var where = new SourceLocation(file, e.LineNumber, e.LinePosition, string.Empty);
            if (e.Message.Contains("DTD", StringComparison.Ordinal))
            {
                throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                    "a document type declaration (DTD) is not allowed in domain XML", where, e);
            }

            throw new DomainXmlException(DomainXmlErrorKind.XmlSyntax, "malformed XML: " + e.Message, where, e);
        }
    }

    private const int NameTableReuse = 1024;

    [ThreadStatic]
    private static (DomainXmlLimits Limits, XmlReaderSettings Settings)? t_settings;

    [ThreadStatic]
    private static int t_uses;

    /// <summary>Reader settings per thread and limits, so each thread keeps one name table across documents.</summary>
    private static XmlReaderSettings SettingsFor(DomainXmlLimits limits)
    {
        // The name table keeps every name it has seen: start a new one now and then, so it stays small.
        if (t_settings is { } cached && ReferenceEquals(cached.Limits, limits) && ++t_uses < NameTableReuse)
        {
            return cached.Settings;
        }

        t_uses = 0;

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = limits.MaxCharacters,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = true,
            NameTable = new NameTable(),
        };
        t_settings = (limits, settings);
        return settings;
    }

    private static XElement ReadTree(XmlReader reader, IXmlLineInfo lineInfo, string? file, DomainXmlLimits limits)
    {
        XElement? root = null;
        XElement? current = null;
        int depth = 0;
        int elements = 0;
        int maxDepth = limits.MaxDepth;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                {
                    if (++depth > maxDepth)
                    {
                        throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                            $"elements are nested more than {maxDepth} deep",
                            new SourceLocation(file, lineInfo.LineNumber, lineInfo.LinePosition, string.Empty));
                    }

                    if (++elements > limits.MaxElements)
                    {
                        throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                            $"the document has more than {limits.MaxElements} elements",
                            new SourceLocation(file, lineInfo.LineNumber, lineInfo.LinePosition, string.Empty));
                    }

                    // AttributeCountScan refused such a tag before the reader took it; this check stays for what it
                    // might miss. Adding attributes to an XElement scans those already there for a duplicate, so
                    // the count must be bounded before any is added.
                    if (reader.AttributeCount > limits.MaxAttributesPerElement)
                    {
                        throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                            $"element <{reader.Name}> has more than {limits.MaxAttributesPerElement} attributes, the limit",
                            new SourceLocation(file, lineInfo.LineNumber, lineInfo.LinePosition, string.Empty));
                    }

                    var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
                    element.AddAnnotation(new LineInfo(lineInfo.LineNumber, lineInfo.LinePosition));
                    bool empty = reader.IsEmptyElement;
                    while (reader.MoveToNextAttribute())
                    {
                        // A default namespace declaration (xmlns='...') is an attribute in no namespace for XLinq.
                        var attributeName = reader.Prefix.Length == 0 && reader.LocalName == "xmlns"
                            ? XName.Get("xmlns")
                            : XName.Get(reader.LocalName, reader.NamespaceURI);
                        element.Add(new XAttribute(attributeName, reader.Value));
                    }

                    if (current is null)
                    {
                        root = element;
                        root.AddAnnotation(new DocumentSource(file));
                    }
                    else
                    {
                        current.Add(element);
                    }

                    if (empty)
                    {
                        depth--;
                    }
                    else
                    {
                        current = element;
                    }

                    break;
                }

                case XmlNodeType.EndElement:
                    depth--;
                    current = current!.Parent;
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.SignificantWhitespace:
                    current?.Add(new XText(reader.Value));
                    break;
                case XmlNodeType.EntityReference:
                    throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                        $"entity reference '&{reader.Name};' is not allowed in domain XML",
                        new SourceLocation(file, lineInfo.LineNumber, lineInfo.LinePosition, string.Empty));
            }
        }

        return root ?? throw new DomainXmlException(DomainXmlErrorKind.XmlSyntax, "the document is empty",
            new SourceLocation(file, 0, 0, string.Empty));
    }
}
