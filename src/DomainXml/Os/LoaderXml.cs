using System.Xml.Linq;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Os;

/// <summary>
/// <c>&lt;os&gt;&lt;loader&gt;</c> and <c>&lt;os&gt;&lt;nvram&gt;</c>: the typed firmware image and variable store
/// (libvirt's virDomainLoaderDefParseXML), read for the OS types that boot firmware (hvm, xen, xenpvh, uml).
/// </summary>
internal static class LoaderXml
{
    internal static readonly XmlEnum<LoaderType> s_type = new(
        (LoaderType.Rom, "rom"),
        (LoaderType.Pflash, "pflash"));

    /// <summary>libvirt's virStorageType names, for an NVRAM store given by <c>&lt;source&gt;</c>.</summary>
    private static readonly HashSet<string> s_storageTypes =
        ["none", "file", "block", "dir", "network", "volume", "nvme", "vhostuser", "vhostvdpa"];

    public static bool BootsFirmware(string osType) => osType is "hvm" or "xen" or "xenpvh" or "uml";

    public static OsLoaderDef? ParseLoader(XElement os)
    {
        if (os.Element(XmlNames.Loader) is not { } loader)
        {
            return null;
        }

        return new OsLoaderDef
        {
            ReadOnly = loader.YesNo(XmlNames.Readonly),
            Type = loader.Enum(XmlNames.Type, s_type),
            Path = NonEmpty(loader.Text()),
            Secure = loader.YesNo(XmlNames.Secure),
            Stateless = loader.YesNo(XmlNames.Stateless),
        };
    }

    public static OsNvramDef? ParseNvram(XElement os)
    {
        if (os.Element(XmlNames.Nvram) is not { } nvram)
        {
            return null;
        }

        string? type = nvram.OneOf("type", s_storageTypes);
        return new OsNvramDef
        {
            Template = nvram.Attr(XmlNames.Template),
            Type = type,
            Path = type is null ? NonEmpty(nvram.Text()) : null,
        };
    }

    private static string? NonEmpty(string text) => text.Length == 0 ? null : text;
}
