using System.Xml.Linq;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// One disk as the placement rules see it: its target, the bus it sits on, the index and partition its name encodes,
/// and its drive address (written, or implied by the name). Worked out once per definition.
/// </summary>
internal sealed class DiskPlacement
{
    public DiskPlacement(XElement disk)
    {
        Disk = disk;
        Target = disk.Element(XmlNames.Target);
        Dev = Target?.Attr(XmlNames.Dev);
        WrittenBus = Target?.Attr(XmlNames.Bus);
        Bus = DiskTarget.Bus(disk);
        if (Dev is not null && DiskTarget.TryParseName(Dev, out int index, out int partition))
        {
            NameParsed = true;
            Index = index;
            Partition = partition;
        }

        Address = disk.Element(XmlNames.Address);
        DriveAddress = DiskTarget.AddressOf(Bus, Address, NameParsed ? Index : -1);
    }

    public XElement Disk { get; }

    public XElement? Target { get; }

    /// <summary><c>target/@dev</c> as written.</summary>
    public string? Dev { get; }

    /// <summary><c>target/@bus</c> as written.</summary>
    public string? WrittenBus { get; }

    /// <summary>The bus as written, else the one the device and the name imply.</summary>
    public string Bus { get; }

    /// <summary>Whether <see cref="Dev"/> has the shape of a disk name (then <see cref="Index"/> and <see cref="Partition"/> hold).</summary>
    public bool NameParsed { get; }

    /// <summary>The disk index the name encodes ("vdb" is 1), -1 when the name has another shape.</summary>
    public int Index { get; } = -1;

    /// <summary>The partition the name encodes ("vdb1" is 1), 0 for a whole disk.</summary>
    public int Partition { get; }

    /// <summary>The disk's <c>&lt;address&gt;</c>, when written.</summary>
    public XElement? Address { get; }

    /// <summary>An IDE disk on a drive address (or none): it implies the IDE controller it sits on (virDomainDefAddImplicitControllers).</summary>
    public bool ImpliesIdeController => Bus == "ide" && Address?.Attr(XmlNames.Type) is null or "drive";

    /// <summary>The drive address written, or the one the name implies on an IDE, SCSI, SATA or floppy bus.</summary>
    public DriveAddress? DriveAddress { get; }

    /// <summary>
    /// The order libvirt keeps disks in (virDomainDiskInsert): each disk goes after the last one on its bus as written,
    /// or before the first later one on that bus with a higher index; the first disk of a bus goes at the end.
    /// </summary>
    public static List<DiskPlacement> LibvirtOrder(List<DiskPlacement> disks)
    {
        var ordered = new List<DiskPlacement>(disks.Count);
        foreach (var disk in disks)
        {
            int insertAt = -1;
            for (int i = ordered.Count - 1; i >= 0; i--)
            {
                if (ordered[i].WrittenBus != disk.WrittenBus)
                {
                    continue;
                }

                if (ordered[i].Index > disk.Index)
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
}
