using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Kvm.Driver.Api;

namespace Kvm.Driver.Pools;

/// <summary>
/// libvirt's storage pool XML for <c>dir</c> pools (storage_conf.c): parsed with libvirt's checks and messages, and
/// formatted canonically as virStoragePoolDefFormat writes it, with the figures of the pool's directory.
/// </summary>
public static class StoragePoolXml
{
    /// <summary>libvirt's default mode of a directory pool's target (VIR_STORAGE_DEFAULT_POOL_PERM_MODE).</summary>
    public const UnixFileMode DefaultMode = (UnixFileMode)0b111_001_001;

    public static StoragePoolDef Parse(string xml)
    {
        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            throw StorageErrors.Xml(e.Message);
        }

        if (root.Name != "pool")
        {
            throw StorageErrors.Xml($"unexpected root element <{root.Name.LocalName}>, expecting <pool>");
        }
        string type = (string?)root.Attribute("type") ?? throw StorageErrors.Xml("storage pool missing type attribute");
        if (type != "dir")
        {
            throw Domains.DomainErrors.ConfigUnsupported($"storage pool type '{type}' (kvmd serves 'dir' pools)");
        }
        string name = root.Element("name")?.Value is { Length: > 0 } n ? n : throw StorageErrors.Xml("missing pool source name element");
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw StorageErrors.Xml($"name {name} cannot contain '/'");
        }
        Guid uuid = Guid.NewGuid();
        if (root.Element("uuid") is { } uuidElement && !LibvirtUuid.TryParse(uuidElement.Value.Trim(), out uuid))
        {
            throw StorageErrors.Xml("malformed uuid element");
        }
        XElement? target = root.Element("target");
        string path = target?.Element("path")?.Value.Trim() is { Length: > 0 } p ? p : throw StorageErrors.Xml("missing storage pool target path");
        if (!Path.IsPathRooted(path))
        {
            throw StorageErrors.Xml($"storage pool target path '{path}' is not absolute");
        }
        UnixFileMode? mode = null;
        if (target?.Element("permissions")?.Element("mode")?.Value.Trim() is { Length: > 0 } modeText)
        {
            mode = int.TryParse(modeText, NumberStyles.None, CultureInfo.InvariantCulture, out _) && IsOctal(modeText)
                ? (UnixFileMode)Convert.ToInt32(modeText, 8)
                : throw StorageErrors.Xml("malformed octal mode");
        }
        return new StoragePoolDef(name, uuid, Path.TrimEndingDirectorySeparator(path) is { Length: > 0 } trimmed ? trimmed : "/", mode);
    }

    /// <summary>virStoragePoolDefFormat: the definition, with the pool's figures (0 when it is not active).</summary>
    public static string Format(StoragePoolDef def, StoragePoolInfo info) =>
        Kvm.DomainXml.Canonical.CanonicalWriter.Write(new XElement("pool", new XAttribute("type", "dir"),
            new XElement("name", def.Name),
            new XElement("uuid", LibvirtUuid.Format(def.Uuid)),
            Bytes("capacity", info.Capacity),
            Bytes("allocation", info.Allocation),
            Bytes("available", info.Available),
            new XElement("source", ""),
            new XElement("target",
                new XElement("path", def.TargetPath),
                new XElement("permissions",
                    new XElement("mode", "0" + Convert.ToString((int)(def.TargetMode ?? DefaultMode), 8)),
                    new XElement("owner", info.Owner),
                    new XElement("group", info.Group)))))
            .Replace("\n  <source/>\n", "\n  <source>\n  </source>\n", StringComparison.Ordinal); // libvirt opens and closes an empty source

    internal static XElement Bytes(string name, ulong value) => new(name, new XAttribute("unit", "bytes"), value);

    private static bool IsOctal(string text) => text.All(c => c is >= '0' and <= '7');
}
