using System.Xml;
using System.Xml.Linq;
using Kvm.DomainXml;

namespace Kvm.Driver.Domains;

/// <summary>virDomainGetMetadata and virDomainSetMetadata on the persistent or the live definition.</summary>
internal sealed partial class DomainDefinitions
{
    private const int MetadataDescription = 0, MetadataTitle = 1, MetadataElement = 2; // virDomainMetadataType
    private const uint AffectLive = 1, AffectConfig = 2;                            // virDomainModificationImpact

    public string GetMetadata(Guid uuid, int type, string? uri, uint flags)
    {
        var entry = _table.Find(uuid);
        DomainDocument document;
        lock (_table.Gate)
        {
            document = SelectDefinition(entry, flags).Document;
        }

        XElement root = document.Root;
        XElement? found = type switch
        {
            MetadataDescription => root.Element("description"),
            MetadataTitle => root.Element("title"),
            MetadataElement => string.IsNullOrEmpty(uri)
                ? throw DomainErrors.InvalidArg("uri in virDomainGetMetadata must not be NULL")
                : root.Element("metadata")?.Elements().FirstOrDefault(e => e.Name.NamespaceName == uri),
            _ => throw DomainErrors.InvalidArg($"unknown metadata type '{type}'"),
        };
        if (found is null)
        {
            throw DomainErrors.NoMetadata();
        }

        return type == MetadataElement ? WithoutNamespace(found) : found.Value;
    }

    /// <summary>
    /// The element as libvirt's virXMLExtractNamespaceXML gives it: a copy with the namespace taken off the element,
    /// its descendants and attributes in it (no prefix, no xmlns declaration), written as libxml2 does (<c>&lt;v/&gt;</c>).
    /// </summary>
    private static string WithoutNamespace(XElement found)
    {
        XNamespace ns = found.Name.Namespace;
        var copy = new XElement(found);
        foreach (XElement element in copy.DescendantsAndSelf())
        {
            if (element.Name.Namespace == ns)
            {
                element.Name = XNamespace.None + element.Name.LocalName;
            }
            XAttribute[] attributes = [.. element.Attributes()];
            element.RemoveAttributes();
            foreach (XAttribute attribute in attributes)
            {
                if (attribute.IsNamespaceDeclaration && attribute.Value == ns.NamespaceName)
                {
                    continue;
                }
                element.Add(attribute.Name.Namespace == ns ? new XAttribute(attribute.Name.LocalName, attribute.Value) : attribute);
            }
        }
        return copy.ToString().Replace(" />", "/>", StringComparison.Ordinal); // an attribute value cannot hold '>' unescaped
    }

    public void SetMetadata(Guid uuid, int type, string? metadata, string? key, string? uri, uint flags)
    {
        metadata = string.IsNullOrEmpty(metadata) ? null : metadata;
        Func<DomainDocument, DomainDocument> edit = type switch
        {
            MetadataDescription => document => DomainEdits.WithDescription(document, metadata),
            MetadataTitle => metadata is not null && metadata.Contains('\n')
                ? throw DomainErrors.InvalidArg("Domain title can't contain newlines")
                : document => DomainEdits.WithTitle(document, metadata),
            MetadataElement => WithMetadataElement(uri!, MetadataElementOf(metadata, key, uri)),
            _ => throw DomainErrors.InvalidArg($"unknown metadata type '{type}'"),
        };

        lock (_storeLock)
        {
            var entry = _table.Find(uuid);
            (DomainDocument document, bool live) target;
            lock (_table.Gate)
            {
                target = SelectDefinition(entry, flags);
            }

            bool inactive = !target.live;
            DomainDocument updated = edit(target.document);
            string text = Format(updated, inactive ? DomainFormatFlags.Secure | DomainFormatFlags.Inactive : DomainFormatFlags.Secure);
            if (inactive)
            {
                Store.Save(entry.Name, text);
            }
            else if (_runtime.ReadAll().FirstOrDefault(s => s.Uuid == uuid) is { } status)
            {
                _runtime.WriteStatus(status with { LiveXml = text });
            }

            lock (_table.Gate)
            {
                if (inactive)
                {
                    entry.Persistent = updated;
                }
                else
                {
                    entry.Live = updated;
                }
            }
        }
    }

    /// <summary>The definition a metadata call works on: libvirt's AFFECT_CURRENT/LIVE/CONFIG; called under the gate.</summary>
    private static (DomainDocument Document, bool Live) SelectDefinition(DomainEntry entry, uint flags)
    {
        if (entry.Removed)
        {
            throw DomainErrors.NoDomainByUuid(entry.Uuid);
        }

        bool live = (flags & AffectLive) != 0, config = (flags & AffectConfig) != 0;
        if (live && config)
        {
            throw DomainErrors.InvalidArg("metadata can be read or set on the live or the persistent definition, not both at once");
        }

        if (live && entry.Live is null)
        {
            throw DomainVerdict.NotRunning.ThrowIfRefused() ? null! : null!;
        }

        if (config && entry.Persistent is null)
        {
            throw DomainVerdict.Invalid("transient domains do not have any persistent config").ThrowIfRefused() ? null! : null!;
        }

        return live || (!config && entry.Live is not null) ? (entry.Live!, true) : (entry.Persistent!, false);
    }

    private static Func<DomainDocument, DomainDocument> WithMetadataElement(string uri, XElement? element) =>
        document => DomainEdits.WithMetadataElement(document, uri, element);

    private static XElement? MetadataElementOf(string? metadata, string? key, string? uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            throw DomainErrors.InvalidArg("uri in virDomainSetMetadata must not be NULL");
        }

        if (metadata is null)
        {
            return null;
        }

        if (string.IsNullOrEmpty(key))
        {
            throw DomainErrors.InvalidArg("key in virDomainSetMetadata must not be NULL");
        }

        XElement parsed;
        try
        {
            parsed = XElement.Parse(metadata);
        }
        catch (XmlException e)
        {
            throw new DomainOperationException(VirErrorCode.XmlError, $"XML error: (metadata_xml):{e.LineNumber}: {e.Message}", e);
        }

        // libvirt puts the given element in the namespace uri with the prefix key.
        XNamespace ns = uri;
        parsed.Name = ns + parsed.Name.LocalName;
        parsed.Attributes().Where(a => a.IsNamespaceDeclaration).Remove();
        parsed.SetAttributeValue(XNamespace.Xmlns + key, uri);
        return parsed;
    }
}
