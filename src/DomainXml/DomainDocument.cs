using System.Xml.Linq;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml;

/// <summary>
/// A parsed domain: the typed definition and the document it came from. The document keeps everything the
/// typed model does not cover, so formatting loses nothing the user wrote.
/// </summary>
public sealed class DomainDocument
{
    internal DomainDocument(XElement root, DomainDef definition, DomainParseFlags flags)
    {
        Root = root;
        Definition = definition;
        ParseFlags = flags;
    }

    /// <summary>The document, normalized by post-parse.</summary>
    public XElement Root { get; }

    public DomainDef Definition { get; internal set; }

    public DomainParseFlags ParseFlags { get; }
}
