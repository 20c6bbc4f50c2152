using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
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

    public void Check(XElement domain, DomainDef definition)
    {
        if (domain.Element("devices") is not { } devices)
        {
            return;
        }

        var disks = devices.Elements("disk").ToList();
        foreach (var disk in disks)
        {
            CheckImpliedAddress(disk, devices);
        }

        foreach (var disk in disks)
        {
            CheckName(disk);
        }

        CheckDuplicates(LibvirtOrder(disks));
    }

    private static void CheckImpliedAddress(XElement disk, XElement devices)
    {
        if (disk.Element("address") is not null || disk.Element("target") is not { } target || target.Attr("dev") is not { } dev)
        {
            return;
        }

        if (!DiskTarget.TryParseName(dev, out _, out _))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Unknown disk name '{dev}' and no address specified", target, "dev");
        }

        if (DiskTarget.Bus(disk) != "scsi" || DiskTarget.AddressOf(disk) is not { } implied)
        {
            return;
        }

        bool taken = devices.Elements("hostdev").Any(h => h.Attr("type") == "scsi" && h.Element("address") is { } a
            && a.Attr("type") == "drive" && DriveAddress.Read(a) == implied);
        if (taken)
        {
            // libvirt's message lacks the closing quote after the unit; kept as libvirt writes it.
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"using disk target name '{dev}' conflicts with SCSI host device address controller='{implied.Controller}' " +
                $"bus='{implied.Bus}' target='{implied.Target}' unit='{implied.Unit}", target, "dev");
        }
    }

    private static void CheckName(XElement disk)
    {
        var target = disk.Element("target")!;
        string dev = target.Attr("dev") ?? string.Empty;
        string device = disk.Attr("device") ?? "disk";
        string bus = DiskTarget.Bus(disk);
        if (device == "floppy" && bus != "fdc")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid bus type '{bus}' for floppy disk", target, "bus");
        }

        if (device != "floppy" && bus == "fdc")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid bus type '{bus}' for disk", target, "bus");
        }

        if (device is "disk" or "lun" && !s_diskPrefixes.Any(p => dev.StartsWith(p, StringComparison.Ordinal)))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid harddisk device name: {dev}", target, "dev");
        }

        if (device == "floppy" && !dev.StartsWith("fd", StringComparison.Ordinal))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Invalid floppy device name: {dev}", target, "dev");
        }

        if (!DiskTarget.TryParseName(dev, out _, out int partition))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"invalid disk target '{dev}'", target, "dev");
        }

        if (partition != 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"invalid disk target '{dev}', partitions can't appear in disk targets", target, "dev");
        }
    }

    private static void CheckDuplicates(List<XElement> disks)
    {
        for (int i = 0; i < disks.Count; i++)
        {
            string dev = disks[i].Element("target")!.Attr("dev")!;
            for (int j = i + 1; j < disks.Count; j++)
            {
                if (disks[j].Element("target")!.Attr("dev") == dev)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                        $"target '{dev}' duplicated for disk sources '{SourceOf(disks[i])}' and '{SourceOf(disks[j])}'",
                        disks[j].Element("target"), "dev");
                }
            }
        }
    }

    /// <summary>
    /// The order libvirt keeps disks in (virDomainDiskInsert): each disk goes after the last one on its bus as written,
    /// or before the first later one on that bus with a higher index; the first disk of a bus goes at the end.
    /// </summary>
    internal static List<XElement> LibvirtOrder(List<XElement> disks)
    {
        var ordered = new List<XElement>(disks.Count);
        foreach (var disk in disks)
        {
            string? bus = disk.Element("target")?.Attr("bus");
            int index = IndexOf(disk);
            int insertAt = -1;
            for (int i = ordered.Count - 1; i >= 0; i--)
            {
                if (ordered[i].Element("target")?.Attr("bus") != bus)
                {
                    continue;
                }

                if (IndexOf(ordered[i]) > index)
                {
                    insertAt = i;
                }
                else if (insertAt == -1)
                {
                    insertAt = i + 1;
                }
            }

            ordered.Insert(insertAt == -1 ? ordered.Count : insertAt, disk);
        }

        return ordered;
    }

    private static int IndexOf(XElement disk) =>
        disk.Element("target")?.Attr("dev") is { } dev && DiskTarget.TryParseName(dev, out int index, out _) ? index : -1;

    /// <summary>What libvirt names a disk's source in messages (virDomainDiskGetSource), "&lt;null&gt;" when none.</summary>
    private static string SourceOf(XElement disk)
    {
        var source = disk.Element("source");
        string? path = (disk.Attr("type") ?? "file") switch
        {
            "file" => source?.Attr("file"),
            "block" => source?.Attr("dev"),
            "dir" => source?.Attr("dir"),
            "network" => source?.Attr("name"),
            "vhostuser" => source?.Attr("path"),
            _ => null,
        };
        return path ?? "<null>";
    }
}
