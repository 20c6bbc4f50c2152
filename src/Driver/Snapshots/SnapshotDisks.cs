using Kvm.DomainXml.Model;

namespace Kvm.Driver.Snapshots;

/// <summary>
/// A new snapshot's disks as libvirt settles them: virDomainSnapshotAlignDisks (one entry per domain disk, in the
/// domain's order, defaults filled in, external overlay names made up) and qemuSnapshotPrepare's checks for an
/// inactive domain, with libvirt's messages.
/// </summary>
internal static class SnapshotDisks
{
    public static IReadOnlyList<SnapshotDiskDef> Align(IReadOnlyList<SnapshotDiskDef> requested, SnapshotDomain domain, string snapshotName,
        string defaultLocation)
    {
        if (requested.Count > domain.Disks.Count)
        {
            throw SnapshotErrors.Config("too many disk snapshot requests for domain");
        }
        bool requireMatch = defaultLocation == SnapshotLocation.Internal; // the QEMU driver's uniform internal snapshots
        var byTarget = new Dictionary<string, SnapshotDiskDef>(StringComparer.Ordinal);
        foreach (SnapshotDiskDef disk in requested)
        {
            // virDomainDiskByName: a target name, or the path of the disk's source.
            var match = domain.Disks.FirstOrDefault(d => d.Disk.TargetDev == disk.Name || (d.Disk.Source is not null && d.Disk.Source == disk.Name));
            if (match.Disk is null)
            {
                throw SnapshotErrors.Config($"no disk named '{disk.Name}'");
            }
            if (byTarget.ContainsKey(match.Disk.TargetDev))
            {
                throw SnapshotErrors.Config($"disk '{disk.Name}' specified twice");
            }
            string location;
            if (disk.Location is null)
            {
                location = match.Snapshot is not null && (!requireMatch || match.Snapshot == SnapshotLocation.No) ? match.Snapshot : defaultLocation;
            }
            else if (requireMatch && disk.Location != defaultLocation
                && !(disk.Location == SnapshotLocation.No && match.Snapshot == SnapshotLocation.No))
            {
                throw SnapshotErrors.Config($"disk '{disk.Name}' must use snapshot mode '{defaultLocation}'");
            }
            else
            {
                location = disk.Location;
            }
            if (disk.Source is not null && location != SnapshotLocation.External)
            {
                throw SnapshotErrors.Config($"file '{disk.Source}' for disk '{disk.Name}' requires use of external snapshot mode");
            }
            byTarget.Add(match.Disk.TargetDev, disk with { Name = match.Disk.TargetDev, Location = location });
        }

        var aligned = new List<SnapshotDiskDef>(domain.Disks.Count);
        foreach ((DiskDef disk, string? snapshot) in domain.Disks)
        {
            aligned.Add(byTarget.TryGetValue(disk.TargetDev, out SnapshotDiskDef? given) ? given
                : new SnapshotDiskDef(disk.TargetDev, SnapshotDomain.IsEmpty(disk) ? SnapshotLocation.No : snapshot ?? defaultLocation));
        }
        return AssignExternalNames(aligned, domain, snapshotName);
    }

    /// <summary>virDomainSnapshotDefAssignExternalNames: the disk's image path without its suffix, then ".SNAPSHOT".</summary>
    private static IReadOnlyList<SnapshotDiskDef> AssignExternalNames(List<SnapshotDiskDef> disks, SnapshotDomain domain, string snapshotName)
    {
        for (int i = 0; i < disks.Count; i++)
        {
            SnapshotDiskDef disk = disks[i];
            if (disk.Location != SnapshotLocation.External || disk.Source is not null)
            {
                continue;
            }
            if (disk.SourceType != "file")
            {
                throw SnapshotErrors.Config($"cannot generate external snapshot name for disk '{disk.Name}' on a '{disk.SourceType}' device");
            }
            string origin = domain.Disks[i].Disk.Source
                ?? throw SnapshotErrors.Config($"cannot generate external snapshot name for disk '{disk.Name}' without source");
            if (!File.Exists(origin))
            {
                throw SnapshotErrors.Config($"source for disk '{disk.Name}' is not a regular file; refusing to generate external snapshot name");
            }
            int dot = origin.LastIndexOf('.');
            string stem = dot >= 0 && origin.IndexOf('/', dot) < 0 ? origin[..dot] : origin;
            string path = $"{stem}.{snapshotName}";
            for (int j = 0; j < i; j++)
            {
                if (disks[j].Source == path)
                {
                    throw SnapshotErrors.Config($"cannot generate external snapshot name for disk '{disk.Name}': collision with disk '{disks[j].Name}'");
                }
            }
            disks[i] = disk with { Source = path };
        }
        return disks;
    }

    /// <summary>qemuSnapshotPrepare for an inactive domain; external disks get libvirt's default format, qcow2.</summary>
    public static SnapshotPlan Prepare(IReadOnlyList<SnapshotDiskDef> disks, SnapshotDomain domain, bool diskOnly, bool reuse)
    {
        bool foundInternal = false, forbidInternal = false;
        int external = 0;
        foreach (SnapshotDiskDef disk in disks)
        {
            DiskDef domainDisk = domain.Disk(disk.Name)!;
            switch (disk.Location)
            {
                case SnapshotLocation.Internal:
                    foundInternal = true;
                    PrepareInternal(disk, domainDisk);
                    break;
                case SnapshotLocation.External:
                    PrepareExternal(disk, domainDisk, reuse);
                    external++;
                    break;
                case SnapshotLocation.Manual:
                    forbidInternal = true;
                    break;
                default: // no
                    if (!SnapshotDomain.IsEmpty(domainDisk) && !domainDisk.ReadOnly)
                    {
                        forbidInternal = true;
                    }
                    break;
            }
        }
        if (!foundInternal && external == 0)
        {
            throw SnapshotErrors.Config("nothing selected for snapshot");
        }
        if (foundInternal && forbidInternal)
        {
            throw SnapshotErrors.Config("internal and full system snapshots require all disks to be selected for snapshot");
        }
        if (diskOnly && external == 0)
        {
            throw SnapshotErrors.Config("disk-only snapshots require at least one disk to be selected for snapshot");
        }
        if (foundInternal && external > 0)
        {
            throw SnapshotErrors.Config("mixing internal and external targets for a snapshot is not yet supported");
        }
        if (foundInternal && domain.HasFlashFirmware)
        {
            throw SnapshotErrors.Unsupported("internal snapshots of a VM with pflash based firmware are not supported");
        }
        return new SnapshotPlan(foundInternal, external > 0);
    }

    /// <summary>qemuSnapshotPrepareDiskInternal and the format check: qemu-img keeps internal snapshots in qcow2 images only.</summary>
    private static void PrepareInternal(SnapshotDiskDef disk, DiskDef domainDisk)
    {
        switch (domainDisk.Type)
        {
            case "file" or "block":
                break;
            case "network":
                throw SnapshotErrors.Internal($"internal inactive snapshots are not supported on 'network' disks using '{domainDisk.SourceProtocol}' protocol");
            default:
                throw SnapshotErrors.Internal($"internal inactive snapshots are not supported on '{domainDisk.Type}' disks");
        }
        if (domainDisk.DriverType is { } format && format != "qcow2")
        {
            throw SnapshotErrors.Config($"internal snapshot for disk {disk.Name} unsupported for storage type {format}");
        }
        if (domainDisk.Source is null)
        {
            throw SnapshotErrors.Config($"internal snapshot for disk {disk.Name} needs an image, and the disk has none");
        }
    }

    /// <summary>qemuSnapshotPrepareDiskExternal(Inactive): what kvm-vmm can open on top of what the disk has now.</summary>
    private static void PrepareExternal(SnapshotDiskDef disk, DiskDef domainDisk, bool reuse)
    {
        string format = disk.DriverType ?? "qcow2";
        if (format is not ("qcow2" or "qed"))
        {
            throw SnapshotErrors.Config($"external snapshot format for disk {disk.Name} is unsupported: {format}");
        }
        if (format == "qed")
        {
            // libvirt would create it; kvm-vmm opens raw and qcow2 images only, so the domain could not start on it.
            throw SnapshotErrors.Config($"external snapshot format for disk {disk.Name} is unsupported: qed (kvm-vmm opens raw and qcow2 images)");
        }
        if (domainDisk.Type is not ("file" or "block"))
        {
            throw SnapshotErrors.Config($"external inactive snapshots are not supported on '{domainDisk.Type}' disks");
        }
        if (domainDisk.Source is null)
        {
            throw SnapshotErrors.Config($"external snapshot of disk {disk.Name} needs an image to lay the overlay on, and the disk has none");
        }
        string path = disk.Source!;
        bool exists = File.Exists(path) || Directory.Exists(path);
        if (!exists)
        {
            if (reuse)
            {
                throw SnapshotErrors.System($"missing existing file for disk {disk.Name}: {path}", new FileNotFoundException("No such file or directory"));
            }
            if (disk.SourceType == "block")
            {
                throw SnapshotErrors.Unsupported($"block device snapshot target '{path}' doesn't exist");
            }
            return;
        }
        bool isFile = File.Exists(path) && (File.GetAttributes(path) & FileAttributes.Device) == 0;
        if ((disk.SourceType == "file" && !isFile) || (disk.SourceType == "block" && isFile))
        {
            throw SnapshotErrors.Config($"mismatch between configured type for snapshot disk '{disk.Name}' and the type of existing file '{path}'");
        }
        if (!reuse && disk.SourceType == "file" && new FileInfo(path).Length > 0)
        {
            throw SnapshotErrors.Config($"external snapshot file for disk {disk.Name} already exists and is not a block device: {path}");
        }
    }
}
