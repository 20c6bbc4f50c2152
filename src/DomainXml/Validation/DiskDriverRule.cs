using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A disk's media and driver: a disk (not a CD-ROM or floppy) has a source; SCSI passthrough settings (sgio, rawio,
/// reservations) belong to LUNs; the startup policy suits local media; throttling gives either a total or a
/// read/write split, and a throttle group has settings; native AIO bypasses the host page cache; the serial is plain
/// text; only QEMU's own driver name and raw images can be shared read-write; a transient disk is a writable local
/// image file; vendor and product fit the SCSI inquiry data (virDomainDiskDefValidate,
/// qemuValidateDomainDeviceDefDiskFrontend, qemuValidateDomainDeviceDefDiskTransient, qemuValidateDomainDeviceDefDisk).
/// </summary>
internal sealed class DiskDriverRule : IDomainRule
{
    /// <summary>Characters QEMU takes in a drive serial (QEMU_SERIAL_PARAM_ACCEPTED_CHARS).</summary>
    private const string SerialChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ .+";

    private static readonly string[] s_iotunePairs = ["bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"];

    public void Check(ValidationContext context)
    {
        foreach (var disk in context.Devices?.Elements(XmlNames.Disk) ?? [])
        {
            string device = disk.Attr(XmlNames.Device) ?? "disk";
            string dev = disk.Element(XmlNames.Target)!.Attr(XmlNames.Dev)!;
            CheckSource(disk, device, dev);
            CheckLunOnly(disk, device);
            CheckIotune(disk);
            CheckVpd(disk);
            CheckDriver(disk, dev);
            CheckTransient(disk, device, dev);
        }
    }

    private static void CheckSource(XElement disk, string device, string dev)
    {
        var source = disk.Element(XmlNames.Source);
        string type = disk.Attr(XmlNames.Type) ?? "file";
        bool empty = type switch
        {
            "file" => source?.Attr(XmlNames.File) is null,
            "block" => source?.Attr(XmlNames.Dev) is null,
            "dir" => source?.Attr(XmlNames.Dir) is null,
            "network" => source?.Attr(XmlNames.Protocol) is null,
            _ => false,
        };
        if (empty && device == "disk")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"missing source information for device {dev}", source ?? disk);
        }

        if (source?.Attr(XmlNames.StartupPolicy) is not { } policy)
        {
            return;
        }

        if (type is not ("file" or "block" or "dir" or "volume"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"disk startupPolicy '{policy}' is not allowed for disk of '{type}' type", source, "startupPolicy");
        }

        if (policy == "requisite" && device is not ("cdrom" or "floppy"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "disk startupPolicy 'requisite' is allowed only for cdrom or floppy",
                source, "startupPolicy");
        }
    }

    private static void CheckLunOnly(XElement disk, string device)
    {
        if (disk.Attr(XmlNames.Sgio) == "unfiltered")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "unfiltered sgio is no longer supported", disk, "sgio");
        }

        if (device == "lun")
        {
            return;
        }

        if (disk.Element(XmlNames.Source)?.Element(XmlNames.Reservations) is { } reservations)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "<reservations/> allowed only for lun devices", reservations);
        }

        if (disk.Attr(XmlNames.Rawio) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "rawio can be used only with device='lun'", disk, "rawio");
        }

        if (disk.Attr(XmlNames.Sgio) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "sgio can be used only with device='lun'", disk, "sgio");
        }
    }

    private static void CheckIotune(XElement disk)
    {
        if (disk.Element(XmlNames.Iotune) is not { } iotune)
        {
            return;
        }

        if (iotune.Element(XmlNames.GroupName) is { } group && !iotune.Elements().Any(e => e.Name.LocalName != "group_name"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "group_name can be configured only together with settings", group);
        }

        foreach (string name in s_iotunePairs)
        {
            if (IsSet(iotune, "total_" + name) && (IsSet(iotune, "read_" + name) || IsSet(iotune, "write_" + name)))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    $"total and read/write {name} cannot be set at the same time", iotune.Element(XmlNames.Total + name));
            }
        }

        static bool IsSet(XElement iotune, string name) =>
            iotune.Element(name) is { } e && XmlRead.TryParseULong(e.Text(), out ulong value) && value > 0;
    }

    private static void CheckVpd(XElement disk)
    {
        foreach (var (name, limit) in new[] { ("vendor", 8), ("product", 16) })
        {
            if (disk.Element(name) is not { } element)
            {
                continue;
            }

            string text = element.Text();
            if (text.Any(c => c < 0x20 || c == 0x7f))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"disk {name} is not printable string", element);
            }

            if (text.Length > limit)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"disk {name} is more than {limit} characters", element);
            }
        }
    }

    private static void CheckDriver(XElement disk, string dev)
    {
        var driver = disk.Element(XmlNames.Driver);
        if (driver?.Attr(XmlNames.Io) == "native" && driver.Attr(XmlNames.Cache) is not ("directsync" or "none"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "io='native' needs either no disk cache or directsync cache mode",
                driver, "io");
        }

        if (disk.Element(XmlNames.Serial) is { } serial && serial.Text() is var text && text.Any(c => !SerialChars.Contains(c)))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"driver serial '{text}' contains unsafe characters", serial);
        }

        // QEMU's driver defaults the image format to raw, except for storage pool volumes (qemuDomainDeviceDiskDefPostParse).
        string format = driver?.Attr(XmlNames.Type) ?? (disk.Attr(XmlNames.Type) == "volume" ? "none" : "raw");
        if (disk.Element(XmlNames.Shareable) is not null && disk.Element(XmlNames.Readonly) is null && disk.Attr(XmlNames.Device) != "cdrom"
            && format != "raw")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"shared access for disk '{dev}' requires use of supported storage format", disk.Element(XmlNames.Shareable));
        }

        if (driver?.Attr(XmlNames.DiscardNoUnref) == "on")
        {
            if (format != "qcow2")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'discard_no_unref' only works with qcow2 disk format",
                    driver, "discard_no_unref");
            }

            if (disk.Element(XmlNames.Readonly) is not null || disk.Attr(XmlNames.Device) == "cdrom")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "'discard_no_unref' is not compatible with read-only disk",
                    driver, "discard_no_unref");
            }
        }

        if (driver?.Attr(XmlNames.Name) is { } name && name != "qemu")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported driver name '{name}' for disk '{dev}'", driver, "name");
        }
    }

    /// <summary>A transient disk is a local image file whose writes go to an overlay dropped at shutdown.</summary>
    private static void CheckTransient(XElement disk, string device, string dev)
    {
        if (disk.Element(XmlNames.Transient) is not { } transient)
        {
            return;
        }

        var source = disk.Element(XmlNames.Source);
        string type = disk.Attr(XmlNames.Type) ?? "file";
        string? detail = type == "file" && source?.Attr(XmlNames.File) is null ? $"transient disk '{dev}' must not be empty"
            : disk.Element(XmlNames.Readonly) is not null || device == "cdrom" ? $"transient disk '{dev}' must not be read-only"
            : type != "file" ? $"transient disk supported only with 'file' type ({dev})"
            : device != "disk" ? $"transient disk supported only with 'disk' device ({dev})"
            : null;
        if (detail is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, transient);
        }

        string bus = DiskTarget.Bus(disk);
        if (transient.Attr(XmlNames.ShareBacking) == "yes" && bus is not ("usb" or "virtio" or "scsi"))
        {
            // libvirt's message spells "transiend"; kept as libvirt writes it.
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"disk bus '{bus}' doesn't support transiend disk backing image sharing", transient, "shareBacking");
        }
    }
}
