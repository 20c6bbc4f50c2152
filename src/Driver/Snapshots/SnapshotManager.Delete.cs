using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

public sealed partial class SnapshotManager
{
    /// <summary>
    /// virDomainSnapshotDelete: the snapshot, its descendants (CHILDREN) or only them (CHILDREN_ONLY); METADATA_ONLY
    /// leaves the images alone. An internal snapshot leaves every qcow2 image of its domain (qemu-img snapshot -d) while
    /// the domain is shut off; its children move to its parent, and the current snapshot moves up as libvirt does.
    /// Deleting an external snapshot's overlays (a block commit in libvirt 9.0) is refused: only its metadata can go.
    /// </summary>
    public void Delete(Guid uuid, string name, uint flags)
    {
        ArgumentNullException.ThrowIfNull(name);
        if ((flags & SnapshotFlags.DeleteChildren) != 0 && (flags & SnapshotFlags.DeleteChildrenOnly) != 0)
        {
            throw SnapshotErrors.Exclusive("VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN", "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY");
        }
        LibvirtErrors.CheckFlags(flags, SnapshotFlags.DeleteChildren | SnapshotFlags.DeleteMetadataOnly | SnapshotFlags.DeleteChildrenOnly,
            "qemuDomainSnapshotDelete");
        _domains.WithDomainJob(uuid, domain =>
        {
            DeleteHoldingJob(domain, name, flags);
            return 0;
        });
    }

    private void DeleteHoldingJob(DomainInfo domain, string name, uint flags)
    {
        bool metadataOnly = (flags & SnapshotFlags.DeleteMetadataOnly) != 0;
        SnapshotDef snapshot;
        List<SnapshotDef> doomed;
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(domain.Uuid);
            snapshot = tree.Get(name);
            doomed = (flags & (SnapshotFlags.DeleteChildren | SnapshotFlags.DeleteChildrenOnly)) != 0 ? [.. tree.Descendants(name)] : [];
            if ((flags & SnapshotFlags.DeleteChildrenOnly) == 0)
            {
                doomed.Insert(0, snapshot);
            }
        }
        if (!metadataOnly)
        {
            if (doomed.FirstOrDefault(s => s.IsExternal) is { } external)
            {
                throw SnapshotErrors.Unsupported($"deleting the overlays of external snapshot '{external.Name}' is not supported by kvmd yet; "
                    + "VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY removes its metadata and keeps the images");
            }
            if (domain.Active && doomed.Count > 0)
            {
                throw SnapshotErrors.Unsupported("kvmd deletes internal snapshots of shut-off domains only: a running domain's images are the VMM's");
            }
        }

        // Deepest first, so a failure part way leaves a tree whose parents all still exist.
        foreach (SnapshotDef def in Enumerable.Reverse(doomed))
        {
            if (!metadataOnly)
            {
                DiscardImages(def);
            }
            lock (_gate)
            {
                DiscardLocked(domain.Uuid, Tree(domain.Uuid), def, newCurrentIfDeleted: (flags & SnapshotFlags.DeleteChildrenOnly) != 0 ? name : def.Parent);
            }
        }
        s_log.Info("Deleted {Count} snapshots of domain {Domain} from {Snapshot}", doomed.Count, domain.Name, name);
    }

    /// <summary>qemu-img snapshot -d on each internal disk of the snapshot's domain (qemuDomainSnapshotForEachQcow2 with "-d").</summary>
    private void DiscardImages(SnapshotDef def)
    {
        if (def.DomainXml is null)
        {
            return;
        }
        var target = SnapshotDomain.Parse(def.DomainXml);
        foreach (SnapshotDiskDef disk in def.Disks.Where(d => d.Location == SnapshotLocation.Internal))
        {
            if (target.Disk(disk.Name)?.Source is { } image)
            {
                _qemuImg.Internal("-d", def.Name, image, disk.Name);
            }
        }
    }

    /// <summary>qemuSnapshotDiscard's metadata part: children to the parent, the current one up, the file gone.</summary>
    private void DiscardLocked(Guid uuid, DomainSnapshotTree tree, SnapshotDef def, string? newCurrentIfDeleted)
    {
        foreach (SnapshotDef child in tree.Children(def.Name).ToArray())
        {
            SnapshotDef moved = child with { Parent = def.Parent };
            tree.Set(moved);
            SaveLocked(uuid, tree, moved);
        }
        bool wasCurrent = tree.Current == def.Name;
        Write(() => _store.Delete(uuid, def.Name), $"Failed to unlink {def.Name}");
        tree.Remove(def.Name);
        if (wasCurrent && newCurrentIfDeleted is not null && tree.TryGet(newCurrentIfDeleted, out _))
        {
            SetCurrentLocked(uuid, tree, newCurrentIfDeleted);
        }
    }
}
