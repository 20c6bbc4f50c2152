using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;disk&gt;</c>: the typed view (source, driver, target); the element itself is kept as written.</summary>
internal static class DiskXml
{
    private static readonly HashSet<string> s_types = ["file", "block", "dir", "network", "volume", "nvme", "vhostuser"];
    private static readonly HashSet<string> s_devices = ["disk", "cdrom", "floppy", "lun"];

    public static DiskDef Parse(XElement disk)
    {
        string type = disk.Attr("type") ?? "file";
        if (!s_types.Contains(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown disk type '{type}'", disk, "type");
        }

        string device = disk.Attr("device") ?? "disk";
        if (!s_devices.Contains(device))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown disk device '{device}'", disk, "device");
        }

        var source = disk.Element("source");
        var target = disk.Element("target");
        string? dev = target?.Attr("dev");
        if (dev is null)
        {
            string what = source?.Attr("file") ?? source?.Attr("dev") ?? source?.Attr("name") ?? "<null>";
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"missing target information for device {what}", target ?? disk);
        }

        var driver = disk.Element("driver");
        return new DiskDef
        {
            Type = type,
            Device = device,
            Source = type switch
            {
                "file" => source?.Attr("file"),
                "block" => source?.Attr("dev"),
                "dir" => source?.Attr("dir"),
                "network" => source?.Attr("name"),
                "volume" => source?.Attr("volume"),
                _ => source?.Attr("path"),
            },
            SourceProtocol = type == "network" ? source?.Attr("protocol") : null,
            DriverName = driver?.Attr("name"),
            DriverType = driver?.Attr("type"),
            Cache = driver?.Attr("cache"),
            Io = driver?.Attr("io"),
            TargetDev = dev,
            TargetBus = target!.Attr("bus"),
            ReadOnly = disk.Element("readonly") is not null,
            Shareable = disk.Element("shareable") is not null,
            Serial = disk.Element("serial")?.Text(),
            BootOrder = disk.Element("boot")?.UInt("order"),
        };
    }
}
