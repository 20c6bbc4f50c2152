using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A disk's target name says what the guest sees: a whole disk of the device's kind ("hd", "sd", "vd", "xvd", "ubd" for
/// disks and LUNs, "fd" for floppies, which sit on the floppy controller and only there), never a partition, and never
/// the name of another disk. A disk without an address takes the drive address its name implies, which must be
/// free of SCSI host devices (virDomainDiskDefAssignAddress, virDomainDiskDefValidate, qemuValidateDomainDeviceDefDisk,
/// virDomainDiskDefCheckDuplicateInfo).
/// </summary>
internal sealed class DiskTargetRule : IDomainRule
{
    private static readonly string[] s_diskPrefixes = ["hd", "sd", "vd", "xvd", "ubd"];

    public void Check(ValidationContext context)
    {
        var disks = context.Disks;
        foreach (var disk in disks)
        {
            CheckImpliedAddress(disk, context);
        }

        foreach (var disk in disks)
        {
            CheckName(disk);
        }

        CheckDuplicates(context.DisksInLibvirtOrder);
    }

    private static void CheckImpliedAddress(DiskPlacement disk, ValidationContext context)
    {
        if (disk.Address is not null || disk.Dev is not { } dev)
        {
            return;
        }

        if (!disk.NameParsed)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Unknown disk name '{dev}' and no address specified", disk.Target, "dev");
        }

        if (disk.Bus != "scsi" || disk.DriveAddress is not { } implied)
        {
            return;
        }

        foreach (var hostdev in context.DeviceElements)
        {
            if (hostdev.Name == XmlNames.Hostdev && hostdev.Attr(XmlNames.Type) == "scsi" && hostdev.Element(XmlNames.Address) is { } a
                && a.Attr(XmlNames.Type) == "drive" && DriveAddress.Read(a) == implied)
            {
                // libvirt's message lacks the closing quote after the unit; kept as libvirt writes it.
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"using disk target name '{dev}' conflicts with SCSI host device address controller='{implied.Controller}' " +
                    $"bus='{implied.Bus}' target='{implied.Target}' unit='{implied.Unit}", disk.Target, "dev");
            }
        }
    }

    private static void CheckName(DiskPlacement placement)
    {
        var disk = placement.Disk;
        var target = placement.Target;
        string dev = placement.Dev ?? string.Empty;
        string device = disk.Attr(XmlNames.Device) ?? "disk";
        string bus = placement.Bus;
        if (device == "floppy" && bus != "fdc")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid bus type '{bus}' for floppy disk", target, "bus");
        }

        if (device != "floppy" && bus == "fdc")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid bus type '{bus}' for disk", target, "bus");
        }

        if (device is "disk" or "lun" && !HasDiskPrefix(dev))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid harddisk device name: {dev}", target, "dev");
        }

        if (device == "floppy" && !dev.StartsWith("fd", StringComparison.Ordinal))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid floppy device name: {dev}", target, "dev");
        }

        if (!placement.NameParsed)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"invalid disk target '{dev}'", target, "dev");
        }

        if (placement.Partition != 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"invalid disk target '{dev}', partitions can't appear in disk targets", target, "dev");
        }
    }

    private static bool HasDiskPrefix(string dev)
    {
        foreach (string prefix in s_diskPrefixes)
        {
            if (dev.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckDuplicates(List<DiskPlacement> disks)
    {
        for (int i = 0; i < disks.Count; i++)
        {
            string? dev = disks[i].Dev;
            for (int j = i + 1; j < disks.Count; j++)
            {
                if (disks[j].Dev == dev)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                        $"target '{dev}' duplicated for disk sources '{SourceOf(disks[i].Disk)}' and '{SourceOf(disks[j].Disk)}'",
                        disks[j].Target, "dev");
                }
            }
        }
    }

    /// <summary>What libvirt names a disk's source in messages (virDomainDiskGetSource), "&lt;null&gt;" when none.</summary>
    private static string SourceOf(System.Xml.Linq.XElement disk)
    {
        var source = disk.Element(XmlNames.Source);
        string? path = (disk.Attr(XmlNames.Type) ?? "file") switch
        {
            "file" => source?.Attr(XmlNames.File),
            "block" => source?.Attr(XmlNames.Dev),
            "dir" => source?.Attr(XmlNames.Dir),
            "network" => source?.Attr(XmlNames.Name),
            "vhostuser" => source?.Attr(XmlNames.Path),
            _ => null,
        };
        return path ?? "<null>";
    }
}
