using System.Xml.Linq;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;filesystem&gt;</c>: type, access mode, model, driver, source and target (virDomainFSDefParseXML).</summary>
internal static class FilesystemXml
{
    internal static readonly XmlEnum<FilesystemType> s_type = new(
        (FilesystemType.Mount, "mount"),
        (FilesystemType.Block, "block"),
        (FilesystemType.File, "file"),
        (FilesystemType.Template, "template"),
        (FilesystemType.Ram, "ram"),
        (FilesystemType.Bind, "bind"),
        (FilesystemType.Volume, "volume"));

    internal static readonly XmlEnum<FilesystemAccessMode> s_accessMode = new(
        (FilesystemAccessMode.Passthrough, "passthrough"),
        (FilesystemAccessMode.Mapped, "mapped"),
        (FilesystemAccessMode.Squash, "squash"));

    internal static readonly XmlEnum<FilesystemDriverType> s_driverType = new(
        (FilesystemDriverType.Default, "default"),
        (FilesystemDriverType.Path, "path"),
        (FilesystemDriverType.Handle, "handle"),
        (FilesystemDriverType.Loop, "loop"),
        (FilesystemDriverType.Nbd, "nbd"),
        (FilesystemDriverType.Ploop, "ploop"),
        (FilesystemDriverType.Virtiofs, "virtiofs"),
        (FilesystemDriverType.Mtp, "mtp"));

    internal static readonly XmlEnum<FilesystemModel> s_model = new(
        (FilesystemModel.Virtio, "virtio"),
        (FilesystemModel.VirtioTransitional, "virtio-transitional"),
        (FilesystemModel.VirtioNonTransitional, "virtio-non-transitional"));

    private static readonly HashSet<string> s_multidevs = ["default", "remap", "forbid", "warn"];
    private static readonly HashSet<string> s_wrpolicies = ["default", "immediate"];

    public static FilesystemDef Parse(XElement fs)
    {
        var type = fs.Enum(XmlNames.Type, s_type) ?? FilesystemType.Mount;
        var source = fs.Element(XmlNames.Source);
        var driver = fs.Element(XmlNames.Driver);
        var result = new FilesystemDef
        {
            Type = type,
            // libvirt's access mode table starts with an empty name: accessmode='' is the default.
            AccessMode = fs.Attr(XmlNames.Accessmode) == string.Empty ? null : fs.Enum(XmlNames.Accessmode, s_accessMode),
            Model = fs.Enum(XmlNames.Model, s_model),
            Source = source is null ? null : type switch
            {
                FilesystemType.Mount or FilesystemType.Bind => source.Attr(XmlNames.Dir),
                FilesystemType.File => source.Attr(XmlNames.File),
                FilesystemType.Block => source.Attr(XmlNames.Dev),
                FilesystemType.Template => source.Attr(XmlNames.Name),
                FilesystemType.Ram or FilesystemType.Volume => null,
            },
            SourceSocket = source?.Attr(XmlNames.Socket),
            TargetDir = fs.Element(XmlNames.Target)?.Attr(XmlNames.Dir),
            ReadOnly = fs.Element(XmlNames.Readonly) is not null,
        };
        fs.OneOf("multidevs", s_multidevs);
        if (driver is not null)
        {
            result = result with { DriverType = driver.Enum(XmlNames.Type, s_driverType) ?? FilesystemDriverType.Default };
            driver.OneOf("wrpolicy", s_wrpolicies);
        }

        return result;
    }
}
