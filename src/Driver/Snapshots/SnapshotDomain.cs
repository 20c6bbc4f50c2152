using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

/// <summary>
/// The parts of a domain definition a snapshot works on: its disks (with each disk's own <c>snapshot</c> attribute,
/// libvirt's per-disk default) and whether it boots old-style UEFI from flash.
/// </summary>
internal sealed record SnapshotDomain(DomainDocument Document, IReadOnlyList<(DiskDef Disk, string? Snapshot)> Disks)
{
    public static SnapshotDomain Parse(string xml)
    {
        DomainDocument document;
        try
        {
            document = DomainXmlParser.Parse(xml, null, DomainParseFlags.Inactive | DomainParseFlags.SkipValidate);
        }
        catch (DomainXmlException e)
        {
            throw DomainErrors.FromXml(e);
        }
        var elements = document.Root.Element("devices")?.Elements("disk").ToArray() ?? [];
        var disks = document.Definition.Devices.Disks
            .Select((d, i) => (d, i < elements.Length ? (string?)elements[i].Attribute("snapshot") : null))
            .ToArray();
        return new SnapshotDomain(document, disks);
    }

    /// <summary>virDomainDefHasOldStyleUEFI, and kvmd's firmware='efi', which becomes flash when the domain starts.</summary>
    public bool HasFlashFirmware =>
        Document.Definition.Os.LoaderDetails?.Type == LoaderType.Pflash || Document.Definition.Os.Firmware == "efi";

    public DiskDef? Disk(string target) => Disks.FirstOrDefault(d => d.Disk.TargetDev == target).Disk;

    /// <summary>virStorageSourceIsEmpty: no medium (a CD-ROM drive without a disc).</summary>
    public static bool IsEmpty(DiskDef disk) => disk.Source is null && disk.Type != "network";
}
