using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Pools;

/// <summary>
/// libvirt's storage volume XML for dir pools (storage_conf.c): a new volume's name, capacity (with libvirt's units)
/// and format (raw or qcow2), and the canonical form virStorageVolDefFormat writes for an existing one.
/// </summary>
public static class StorageVolXml
{
    public static StorageVolDef Parse(string xml)
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

        if (root.Name != "volume")
        {
            throw StorageErrors.Xml($"unexpected root element <{root.Name.LocalName}>, expecting <volume>");
        }
        string name = root.Element("name")?.Value is { Length: > 0 } n ? n : throw StorageErrors.Xml("missing volume name element");
        if ((string?)root.Attribute("type") is { } type && type != "file")
        {
            throw DomainErrors.ConfigUnsupported($"volume type '{type}' (a dir pool's volumes are files)");
        }
        XElement capacity = root.Element("capacity") ?? throw StorageErrors.Xml("missing capacity element");
        ulong bytes = Scale(capacity.Value.Trim(), (string?)capacity.Attribute("unit") ?? "bytes");
        string format = (string?)root.Element("target")?.Element("format")?.Attribute("type") ?? "raw";
        if (format is not ("raw" or "qcow2"))
        {
            throw DomainErrors.ConfigUnsupported($"volume format '{format}' (kvmd creates raw and qcow2 volumes)");
        }
        return new StorageVolDef(name, bytes, format);
    }

    public static string Format(StorageVolRef vol, StorageVolInfo info) =>
        Kvm.DomainXml.Canonical.CanonicalWriter.Write(new XElement("volume", new XAttribute("type", "file"),
            new XElement("name", vol.Name),
            new XElement("key", vol.Key),
            StoragePoolXml.Bytes("capacity", info.Capacity),
            StoragePoolXml.Bytes("allocation", info.Allocation),
            StoragePoolXml.Bytes("physical", info.Physical),
            new XElement("target",
                new XElement("path", vol.Path),
                new XElement("format", new XAttribute("type", info.Format)),
                new XElement("permissions",
                    new XElement("mode", "0" + Convert.ToString(info.Mode, 8)),
                    new XElement("owner", info.Owner),
                    new XElement("group", info.Group)),
                info.Timestamps is { } times
                    ? new XElement("timestamps",
                        new XElement("atime", StorageVolTimestamps.Format(times.Access)),
                        new XElement("mtime", StorageVolTimestamps.Format(times.Modify)),
                        new XElement("ctime", StorageVolTimestamps.Format(times.Change)))
                    : null)));

    /// <summary>virScaleInteger: libvirt's size units (b/bytes, KB = 1000, k/KiB = 1024, up to E/EiB).</summary>
    internal static ulong Scale(string value, string unit)
    {
        if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
        {
            throw StorageErrors.Xml("malformed capacity element");
        }
        ulong factor = unit switch
        {
            "b" or "byte" or "bytes" or "B" => 1,
            _ when unit.Length is >= 1 and <= 3 && "kmgtpe".IndexOf(char.ToLowerInvariant(unit[0])) is int power and >= 0 =>
                unit.Length == 2 && unit[1] == 'B' ? Pow(1000, power + 1)
                : unit.Length == 1 || unit[1..] == "iB" ? Pow(1024, power + 1)
                : throw StorageErrors.Xml($"unknown suffix '{unit}'"),
            _ => throw new DomainOperationException(VirErrorCode.InvalidArg, $"invalid argument: unknown suffix '{unit}'"),
        };
        try
        {
            return checked(number * factor);
        }
        catch (OverflowException)
        {
            throw new DomainOperationException(VirErrorCode.Overflow, $"value too large: {value} {unit}");
        }
    }

    private static ulong Pow(ulong b, int e)
    {
        ulong r = 1;
        for (int i = 0; i < e; i++)
        {
            r *= b;
        }
        return r;
    }
}
