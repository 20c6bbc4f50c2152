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
        string type = disk.Attr(XmlNames.Type) ?? "file";
        if (!s_types.Contains(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown disk type '{type}'", disk, "type");
        }

        string device = disk.Attr(XmlNames.Device) ?? "disk";
        if (!s_devices.Contains(device))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown disk device '{device}'", disk, "device");
        }

        var source = disk.Element(XmlNames.Source);
        var target = disk.Element(XmlNames.Target);
        string? dev = target?.Attr(XmlNames.Dev);
        if (dev is null)
        {
            string what = source?.Attr(XmlNames.File) ?? source?.Attr(XmlNames.Dev) ?? source?.Attr(XmlNames.Name) ?? "<null>";
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"missing target information for device {what}", target ?? disk);
        }

        var driver = disk.Element(XmlNames.Driver);
        return new DiskDef
        {
            Type = type,
            Device = device,
            Source = type switch
            {
                "file" => source?.Attr(XmlNames.File),
                "block" => source?.Attr(XmlNames.Dev),
                "dir" => source?.Attr(XmlNames.Dir),
                "network" => source?.Attr(XmlNames.Name),
                "volume" => source?.Attr(XmlNames.Volume),
                _ => source?.Attr(XmlNames.Path),
            },
            SourceProtocol = type == "network" ? source?.Attr(XmlNames.Protocol) : null,
            DriverName = driver?.Attr(XmlNames.Name),
            DriverType = driver?.Attr(XmlNames.Type),
            Cache = driver?.Attr(XmlNames.Cache),
            Io = driver?.Attr(XmlNames.Io),
            TargetDev = dev,
            TargetBus = target!.Attr(XmlNames.Bus),
            ReadOnly = disk.Element(XmlNames.Readonly) is not null,
            Shareable = disk.Element(XmlNames.Shareable) is not null,
            Serial = disk.Element(XmlNames.Serial)?.Text(),
            BootOrder = disk.Element(XmlNames.Boot)?.UInt(XmlNames.Order),
            Discard = driver?.Attr(XmlNames.Discard),
            Queues = driver?.UInt(XmlNames.Queues),
            PciAddress = DeviceAddressXml.Pci(disk),
            BackingChain = BackingChain(disk),
        };
    }

    /// <summary>The nested <c>&lt;backingStore&gt;</c> elements, top-down, up to the first empty one (bounded by the document's nesting limit).</summary>
    private static List<DiskBackingDef>? BackingChain(XElement disk)
    {
        if (disk.Element(XmlNames.BackingStore) is not { } store)
        {
            return null;
        }

        var chain = new List<DiskBackingDef>();
        while (store is not null && store.Attr(XmlNames.Type) is { } type)
        {
            var source = store.Element(XmlNames.Source);
            chain.Add(new DiskBackingDef(type, type == "block" ? source?.Attr(XmlNames.Dev) : source?.Attr(XmlNames.File),
                store.Element(XmlNames.Format)?.Attr(XmlNames.Type)));
            store = store.Element(XmlNames.BackingStore);
        }

        return chain;
    }
}
