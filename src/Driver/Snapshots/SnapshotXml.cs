using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

/// <summary>
/// libvirt's domain snapshot XML (snapshot_conf.c, domainsnapshot.rng), parsed with libvirt's checks and messages.
/// A create request (<see cref="Parse"/> without redefine) keeps only what a client may choose: the name, description,
/// memory and disks; a redefinition (and kvmd's own metadata) also carries the state, parent, creation time and the
/// domain. Formatting (virDomainSnapshotDefFormat) is in SnapshotXml.Format.cs.
/// </summary>
public static partial class SnapshotXml
{
    private static readonly string[] s_states = ["running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended", "disk-snapshot"];

    // virStorageFileFormat's names, "none" excepted (it parses to 0, which libvirt refuses for a snapshot disk driver).
    private static readonly string[] s_formats = ["raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk"];

    /// <summary>The parsed request or definition; <see cref="SnapshotDef.Name"/> is "" when a create request gives none.</summary>
    /// <param name="redefine">VIR_DOMAIN_SNAPSHOT_PARSE_REDEFINE: state, parent, creation time and domain are read.</param>
    /// <param name="offline">VIR_DOMAIN_SNAPSHOT_PARSE_OFFLINE: the domain is inactive or the snapshot disk-only.</param>
    public static SnapshotDef Parse(string xml, bool redefine, bool offline) => Parse(xml, redefine, offline, out _, internalFormat: false);

    /// <summary>kvmd's own metadata (VIR_DOMAIN_SNAPSHOT_PARSE_INTERNAL): a redefinition with the &lt;active&gt; (current) flag.</summary>
    internal static SnapshotDef ParseInternal(string xml, out bool current) => Parse(xml, redefine: true, offline: false, out current, internalFormat: true);

    private static SnapshotDef Parse(string xml, bool redefine, bool offline, out bool current, bool internalFormat)
    {
        XElement root = Load(xml);
        string? name = Text(root.Element("name"));
        if (name is null && redefine)
        {
            throw SnapshotErrors.Xml("a redefined snapshot must have a name");
        }
        string? description = Text(root.Element("description"));
        string? state = null, parent = null, domain = null;
        long creationTime = 0;
        if (redefine)
        {
            if (!long.TryParse(Text(root.Element("creationTime")), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out creationTime))
            {
                throw SnapshotErrors.Internal("missing creationTime from existing snapshot");
            }
            parent = Text(root.Element("parent")?.Element("name"));
            state = Text(root.Element("state")) ?? throw SnapshotErrors.Xml("missing state from existing snapshot");
            if (!s_states.Contains(state))
            {
                throw SnapshotErrors.Config($"Invalid state '{state}' in domain snapshot XML");
            }
            offline = state is "shutoff" or "disk-snapshot";
            domain = ParseDomain(root.Element("domain"));
        }
        (string? memory, string? memoryFile) = ParseMemory(root.Element("memory"), redefine, offline);
        var disks = root.Element("disks")?.Elements().Select(ParseDisk).ToArray() ?? [];
        current = false;
        if (internalFormat)
        {
            current = int.TryParse(Text(root.Element("active")), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int active)
                ? active != 0 : throw SnapshotErrors.Internal("Could not find 'active' element");
        }
        return new SnapshotDef
        {
            Name = name ?? "",
            Description = description,
            State = state,
            Parent = parent,
            CreationTime = creationTime,
            Memory = memory,
            MemoryFile = memoryFile,
            Disks = disks,
            DomainXml = domain,
        };
    }

    private static XElement Load(string xml)
    {
        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            throw SnapshotErrors.Xml($"(domain_snapshot):{e.LineNumber}: {e.Message}");
        }
        if (root.Name != "domainsnapshot")
        {
            throw SnapshotErrors.Xml($"expecting root element of 'domainsnapshot', not '{root.Name.LocalName}'");
        }
        return root;
    }

    /// <summary>
    /// The redefined snapshot's &lt;domain&gt;: parsed as a domain definition (without validation, as libvirt does), kept
    /// in libvirt's format; an older snapshot's &lt;domain&gt; without a type only names the UUID and is dropped.
    /// </summary>
    private static string? ParseDomain(XElement? domain)
    {
        if (domain?.Attribute("type") is null)
        {
            return null;
        }
        var copy = new XElement(domain);
        string text = copy.ToString(SaveOptions.DisableFormatting);
        try
        {
            DomainDocument document = DomainXmlParser.Parse(text, null, DomainParseFlags.Inactive | DomainParseFlags.SkipValidate);
            return DomainXmlFormatter.Format(document, DomainFormatFlags.Secure | DomainFormatFlags.Inactive);
        }
        catch (DomainXmlException e)
        {
            throw DomainErrors.FromXml(e);
        }
    }

    private static (string? Memory, string? File) ParseMemory(XElement? element, bool redefine, bool offline)
    {
        string? file = (string?)element?.Attribute("file");
        string? memory = element is null ? null : Location(element, "snapshot");
        if (memory == SnapshotLocation.Manual)
        {
            throw SnapshotErrors.Xml("'manual' memory snapshot mode not supported");
        }
        if (memory is null)
        {
            memory = file is not null ? SnapshotLocation.External
                : redefine ? (offline ? SnapshotLocation.No : SnapshotLocation.Internal) : null;
        }
        if (file is not null && memory != SnapshotLocation.External)
        {
            throw SnapshotErrors.Xml($"memory filename '{file}' requires external snapshot");
        }
        if (file is null && memory == SnapshotLocation.External)
        {
            throw SnapshotErrors.Xml("external memory snapshots require a filename");
        }
        if (offline && memory is not null && memory != SnapshotLocation.No)
        {
            throw SnapshotErrors.Xml("memory state cannot be saved with offline or disk-only snapshot");
        }
        if (file is not null && !Path.IsPathRooted(file))
        {
            throw SnapshotErrors.Xml($"memory snapshot file path ({file}) must be absolute");
        }
        return (memory, file);
    }

    private static SnapshotDiskDef ParseDisk(XElement disk)
    {
        string name = (string?)disk.Attribute("name") ?? throw SnapshotErrors.Internal("missing name from disk snapshot element");
        string? location = Location(disk, "snapshot");
        string type = (string?)disk.Attribute("type") ?? "file";
        if (type is "volume" or "dir")
        {
            throw SnapshotErrors.Xml($"unsupported disk snapshot type '{type}'");
        }
        if (type is not ("file" or "block"))
        {
            // libvirt knows network and nvme overlays too; kvmd's VMM opens files and block devices only.
            throw SnapshotErrors.Config($"disk snapshot type '{type}' of disk '{name}' is not supported by kvmd (file and block only)");
        }
        string? source = disk.Element("source") is { } sourceElement
            ? NullIfEmpty((string?)sourceElement.Attribute(type == "block" ? "dev" : "file")) : null;
        string? driver = NullIfEmpty((string?)disk.Element("driver")?.Attribute("type"));
        if (driver is not null && !s_formats.Contains(driver))
        {
            throw SnapshotErrors.Config($"unknown disk snapshot driver '{driver}'");
        }
        if (source is not null && !Path.IsPathRooted(source))
        {
            throw SnapshotErrors.Xml($"disk snapshot image path '{source}' must be absolute");
        }
        if (location is null && (source is not null || driver is not null))
        {
            location = SnapshotLocation.External;
        }
        return new SnapshotDiskDef(name, location, type, source, driver);
    }

    /// <summary>virXMLPropEnumDefault with VIR_XML_PROP_NONZERO over virDomainSnapshotLocation ("default" is refused as 0).</summary>
    private static string? Location(XElement element, string attribute)
    {
        string? value = (string?)element.Attribute(attribute);
        if (value is null)
        {
            return null;
        }
        return SnapshotLocation.IsKnown(value) ? value
            : throw SnapshotErrors.Xml($"Invalid value for attribute '{attribute}' in element '{element.Name.LocalName}': '{value}'.");
    }

    /// <summary>virXPathString's view of an element: its text, or null when absent or empty.</summary>
    private static string? Text(XElement? element) => element is null || element.Value.Length == 0 ? null : element.Value;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
