using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// What a disk's bus can present to the guest: CHS geometry (not on USB or SD, translation only on IDE), removable
/// media (not on virtio or SD), a WWN (IDE and SCSI), vendor and product (SCSI), SCSI passthrough (device='lun' on
/// virtio or SCSI), a rotation rate (SCSI, IDE, SATA), a removable flag (USB, and SCSI disks), read-only disks (not
/// IDE or SATA), virtio options (virtio only), the address a USB disk can have (virDomainDiskDefValidate,
/// qemuValidateDomainDeviceDefDiskFrontend).
/// </summary>
internal sealed class DiskBusRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        foreach (var disk in context.Devices?.Elements(XmlNames.Disk) ?? [])
        {
            string bus = DiskTarget.Bus(disk);
            string device = disk.Attr(XmlNames.Device) ?? "disk";
            CheckVirtioOnly(disk, bus);
            CheckFrontend(disk, bus, device);
            CheckLun(disk, bus, device);
            CheckTarget(disk, bus, device);
        }
    }

    /// <summary>Settings of the virtio-blk frontend (virDomainDiskDefValidate for buses other than virtio).</summary>
    private static void CheckVirtioOnly(XElement disk, string bus)
    {
        if (bus == "virtio")
        {
            return;
        }

        if (disk.Attr(XmlNames.Model) is "virtio" or "virtio-transitional" or "virtio-non-transitional")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"disk model '{disk.Attr(XmlNames.Model)}' not supported for bus '{bus}'", disk, "model");
        }

        if (disk.Element(XmlNames.Driver) is not { } driver)
        {
            return;
        }

        (string Attribute, string Detail)? error =
            driver.Attr(XmlNames.Queues) is not null ? ("queues", "queues attribute in disk driver element is only supported by virtio-blk")
            : driver.Attr(XmlNames.QueueSize) is not null ? ("queue_size", "queue_size attribute in disk driver is only supported for virtio bus")
            : driver.Attr(XmlNames.EventIdx) is not null ? ("event_idx", "disk event_idx mode supported only for virtio bus")
            : driver.Attr(XmlNames.Ioeventfd) is not null ? ("ioeventfd", "disk ioeventfd mode supported only for virtio bus")
            : VirtioOption(driver) is { } option ? (option, VirtioOptionDetail(option))
            : null;
        if (error is { } e)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, e.Detail, driver, e.Attribute);
        }
    }

    /// <summary>The first virtio transport option set on a driver element (virDomainCheckVirtioOptionsAreAbsent).</summary>
    internal static string? VirtioOption(XElement driver) =>
        new[] { "iommu", "ats", "packed", "page_per_vq" }.FirstOrDefault(a => driver.Attr(a) is not null);

    internal static string VirtioOptionDetail(string option) => option == "page_per_vq"
        ? "page_per_vq option is only supported for virtio devices"
        : $"{option} driver option is only supported for virtio devices";

    private static void CheckFrontend(XElement disk, string bus, string device)
    {
        if (disk.Element(XmlNames.Geometry) is { } geometry && (geometry.UInt(XmlNames.Cyls) ?? 0) > 0 && (geometry.UInt(XmlNames.Heads) ?? 0) > 0
            && (geometry.UInt(XmlNames.Secs) ?? 0) > 0)
        {
            if (bus is "usb" or "sd")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"CHS geometry can not be set for '{bus}' bus", geometry);
            }

            if (geometry.Attr(XmlNames.Trans) is { } trans && trans != "default" && bus != "ide")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"CHS translation mode can only be set for 'ide' bus not '{bus}'", geometry, "trans");
            }
        }

        if (disk.Element(XmlNames.Serial) is { } serial && bus == "sd")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Serial property not supported for drive bus '{bus}'", serial);
        }

        string dev = disk.Element(XmlNames.Target)!.Attr(XmlNames.Dev)!;
        if (device == "cdrom" && bus is "virtio" or "sd")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"disk type of '{dev}' does not support ejectable media",
                disk, "device");
        }

        if (disk.Element(XmlNames.Driver) is { } driver && driver.Attr(XmlNames.CopyOnRead) == "on")
        {
            if (disk.Element(XmlNames.Readonly) is not null || device == "cdrom")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"copy_on_read is not compatible with read-only disk '{dev}'", driver, "copy_on_read");
            }

            if (device == "floppy")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"copy_on_read is not supported with removable disk '{dev}'", driver, "copy_on_read");
            }
        }

        if (disk.Element(XmlNames.Wwn) is { } wwn && bus is not ("ide" or "scsi"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Only ide and scsi disk support wwn", wwn);
        }

        if ((disk.Element(XmlNames.Vendor) ?? disk.Element(XmlNames.Product)) is { } vpd && bus != "scsi")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Only scsi disk supports vendor and product", vpd);
        }
    }

    private static void CheckLun(XElement disk, string bus, string device)
    {
        if (device != "lun")
        {
            return;
        }

        if (bus is not ("virtio" or "scsi"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"disk device='lun' is not supported for bus='{bus}'",
                disk.Element(XmlNames.Target), "bus");
        }

        if (disk.Element(XmlNames.Driver) is { } driver && driver.Attr(XmlNames.CopyOnRead) == "on")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"copy_on_read is not compatible with 'lun' disk '{disk.Element(XmlNames.Target)!.Attr(XmlNames.Dev)}'", driver, "copy_on_read");
        }

        if (disk.Element(XmlNames.Wwn) is { } wwn)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Setting wwn is not supported for lun device", wwn);
        }

        if ((disk.Element(XmlNames.Vendor) ?? disk.Element(XmlNames.Product)) is { } vpd)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Setting vendor or product is not supported for lun device", vpd);
        }

        if (disk.Element(XmlNames.Serial) is { } serial && bus == "scsi")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "scsi-block 'lun' devices do not support the serial property", serial);
        }
    }

    private static void CheckTarget(XElement disk, string bus, string device)
    {
        var target = disk.Element(XmlNames.Target)!;
        if (target.Attr(XmlNames.RotationRate) is not null)
        {
            if (bus is not ("scsi" or "ide" or "sata"))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "rotation rate is only valid for SCSI/IDE/SATA bus",
                    target, "rotation_rate");
            }

            if (device != "disk")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "rotation rate is only valid for disk device", target, "rotation_rate");
            }
        }

        // libvirt 9.0 allowed USB only; newer releases also SCSI disks, which is what is checked.
        if (target.Attr(XmlNames.Removable) is not null && bus != "usb" && !(bus == "scsi" && device == "disk"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "removable is only valid for usb or scsi disks", target, "removable");
        }

        if (target.Attr(XmlNames.Tray) is not null && device is not ("cdrom" or "floppy"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "tray is only valid for cdrom and floppy", target, "tray");
        }

        if (bus == "usb" && disk.Element(XmlNames.Address) is { } address && address.Attr(XmlNames.Type) is { } type && type != "usb")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "unexpected address type for usb disk", address, "type");
        }

        if (device == "disk" && disk.Element(XmlNames.Readonly) is { } readOnly && bus is "ide" or "sata")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"readonly {bus} disks are not supported", readOnly);
        }
    }
}
