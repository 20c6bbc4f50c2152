using System.Globalization;
using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

public sealed partial class SnapshotManager
{
    private const uint CreateSupported = SnapshotFlags.CreateRedefine | SnapshotFlags.CreateCurrent | SnapshotFlags.CreateNoMetadata
        | SnapshotFlags.CreateHalt | SnapshotFlags.CreateDiskOnly | SnapshotFlags.CreateReuseExt | SnapshotFlags.CreateAtomic
        | SnapshotFlags.CreateValidate;

    /// <summary>
    /// virDomainSnapshotCreateXML. A new snapshot of a shut-off domain: internal (qemu-img snapshot -c on every qcow2
    /// disk) or, with DISK_ONLY or external disks, qcow2 overlays the domain's disks then use. REDEFINE records
    /// metadata only. A running domain is refused: its snapshot needs its memory saved by the VMM, not there yet.
    /// QUIESCE and LIVE (a guest agent, a running domain) are refused as unsupported flags.
    /// </summary>
    public SnapshotDef Create(Guid uuid, string xml, uint flags)
    {
        ArgumentNullException.ThrowIfNull(xml);
        // virDomainSnapshotCreateXML's own checks (libvirt-domain-snapshot.c), then the driver's flags.
        if ((flags & SnapshotFlags.CreateCurrent) != 0 && (flags & SnapshotFlags.CreateRedefine) == 0)
        {
            throw SnapshotErrors.Requires("VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT", "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE");
        }
        if ((flags & SnapshotFlags.CreateRedefine) != 0 && (flags & SnapshotFlags.CreateNoMetadata) != 0)
        {
            throw SnapshotErrors.Exclusive("VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE", "VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA");
        }
        if ((flags & SnapshotFlags.CreateRedefine) != 0 && (flags & SnapshotFlags.CreateHalt) != 0)
        {
            throw SnapshotErrors.Exclusive("VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE", "VIR_DOMAIN_SNAPSHOT_CREATE_HALT");
        }
        LibvirtErrors.CheckFlags(flags, CreateSupported, "qemuDomainSnapshotCreateXML");
        if ((flags & SnapshotFlags.CreateValidate) != 0)
        {
            SnapshotSchema.Validate(xml);
        }
        return _domains.WithDomainJob(uuid, domain => (flags & SnapshotFlags.CreateRedefine) != 0
            ? Redefine(domain, xml, flags)
            : CreateNew(domain, xml, flags));
    }

    private SnapshotDef CreateNew(DomainInfo domain, string xml, uint flags)
    {
        if (!domain.Persistent && (flags & SnapshotFlags.CreateHalt) != 0)
        {
            throw SnapshotErrors.Invalid("cannot halt after transient domain snapshot");
        }
        if (domain.Active)
        {
            throw SnapshotErrors.Unsupported("kvmd takes snapshots of shut-off domains only: a running domain's snapshot needs its "
                + "memory and disks saved by the VMM, which kvm-vmm cannot do yet; shut the domain down first");
        }
        bool diskOnly = (flags & SnapshotFlags.CreateDiskOnly) != 0;
        SnapshotDef request = SnapshotXml.Parse(xml, redefine: false, offline: true);
        long now = _clock();
        string name = request.Name.Length > 0 ? request.Name : now.ToString(CultureInfo.InvariantCulture);
        CheckName(name, flags);

        string domainXml = _domains.GetXmlDesc(domain.Uuid, DomainXmlFlags.Secure | DomainXmlFlags.Inactive);
        var target = SnapshotDomain.Parse(domainXml);
        string? parent;
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(domain.Uuid);
            if (tree.TryGet(name, out _))
            {
                throw DomainErrors.OperationFailed($"domain moment {name} already exists");
            }
            parent = tree.Current;
        }

        IReadOnlyList<SnapshotDiskDef> disks = SnapshotDisks.Align(request.Disks, target, name,
            diskOnly ? SnapshotLocation.External : SnapshotLocation.Internal);
        SnapshotPlan plan = SnapshotDisks.Prepare(disks, target, diskOnly, (flags & SnapshotFlags.CreateReuseExt) != 0);
        // qemuSnapshotPrepare: an external disk without a format gets qcow2, and the snapshot's XML says so.
        disks = disks.Select(d => d.Location == SnapshotLocation.External && d.DriverType is null ? d with { DriverType = "qcow2" } : d).ToArray();
        var def = request with
        {
            Name = name,
            State = "shutoff", // qemuSnapshotCreateAlignDisks: an inactive domain's snapshot, disk-only or not
            Parent = parent,
            CreationTime = now,
            Memory = SnapshotLocation.No,
            Disks = disks,
            DomainXml = domainXml,
        };

        if (plan.External)
        {
            CreateExternal(domain, def, target, (flags & SnapshotFlags.CreateReuseExt) != 0);
        }
        else
        {
            CreateInternal(def, target);
        }

        if ((flags & SnapshotFlags.CreateNoMetadata) == 0)
        {
            lock (_gate)
            {
                DomainSnapshotTree tree = Tree(domain.Uuid);
                tree.Set(def);
                SetCurrentLocked(domain.Uuid, tree, def.Name);
            }
        }
        s_log.Info("Created {Kind} snapshot {Snapshot} of domain {Domain}", plan.External ? "external" : "internal", def.Name, domain.Name);
        return def;
    }

    /// <summary>qemu-img snapshot -c on every internal disk; on a failure the snapshots already taken are deleted again.</summary>
    private void CreateInternal(SnapshotDef def, SnapshotDomain target)
    {
        var done = new List<(string Image, string Disk)>();
        try
        {
            foreach (SnapshotDiskDef disk in def.Disks.Where(d => d.Location == SnapshotLocation.Internal))
            {
                string image = target.Disk(disk.Name)!.Source!;
                _qemuImg.Internal("-c", def.Name, image, disk.Name);
                done.Add((image, disk.Name));
            }
        }
        catch (DomainOperationException)
        {
            foreach ((string image, string disk) in done)
            {
                try
                {
                    _qemuImg.Internal("-d", def.Name, image, disk);
                }
                catch (DomainOperationException e)
                {
                    s_log.Error("Could not roll back snapshot {Snapshot} of disk {Disk}: {Error}", def.Name, disk, e.Message);
                }
            }
            throw;
        }
    }

    /// <summary>
    /// qemuSnapshotCreateInactiveExternal: a qcow2 overlay per external disk on top of its current image (or the one
    /// given, with REUSE_EXT), then the domain's definition switches those disks to their overlays. On a failure the
    /// overlays made so far are removed and the definition is left as it was.
    /// </summary>
    private void CreateExternal(DomainInfo domain, SnapshotDef def, SnapshotDomain target, bool reuse)
    {
        var created = new List<string>();
        try
        {
            var document = target.Document;
            foreach (SnapshotDiskDef disk in def.Disks.Where(d => d.Location == SnapshotLocation.External))
            {
                var current = target.Disk(disk.Name)!;
                if (!reuse)
                {
                    _qemuImg.CreateOverlay(disk.Source!, current.Source!, current.DriverType ?? "raw", disk.Name);
                    created.Add(disk.Source!);
                }
                document = DomainXml.DomainEdits.WithDiskImage(document, disk.Name, disk.SourceType, disk.Source!, disk.DriverType ?? "qcow2");
            }
            _domains.Define(DomainXml.DomainXmlFormatter.Format(document, DomainXml.DomainFormatFlags.Secure | DomainXml.DomainFormatFlags.Inactive));
        }
        catch (DomainOperationException)
        {
            foreach (string overlay in created)
            {
                File.Delete(overlay);
            }
            throw;
        }
        s_log.Info("Domain {Domain} now writes to the overlays of snapshot {Snapshot}", domain.Name, def.Name);
    }

    /// <summary>qemuSnapshotRedefine: metadata only, checked as virDomainSnapshotRedefinePrep checks it.</summary>
    private SnapshotDef Redefine(DomainInfo domain, string xml, uint flags)
    {
        SnapshotDef def = SnapshotXml.Parse(xml, redefine: true, offline: (flags & SnapshotFlags.CreateDiskOnly) != 0 || !domain.Active);
        CheckName(def.Name, flags);
        if ((flags & SnapshotFlags.CreateDiskOnly) != 0 && def.State != "disk-snapshot")
        {
            throw SnapshotErrors.InvalidArg($"disk-only flag for snapshot {def.Name} requires disk-snapshot state");
        }
        if (def.DomainXml is not null && SnapshotDomain.Parse(def.DomainXml).Document.Definition.Uuid != domain.Uuid)
        {
            throw SnapshotErrors.InvalidArg($"definition for snapshot {def.Name} must use uuid {LibvirtUuid.Format(domain.Uuid)}");
        }
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(domain.Uuid);
            if (tree.TryGet(def.Name, out SnapshotDef? other))
            {
                bool online = other.State is "running" or "paused", nowOnline = def.State is "running" or "paused";
                if (online != nowOnline)
                {
                    throw SnapshotErrors.InvalidArg($"cannot change between online and offline snapshot state in snapshot {def.Name}");
                }
                if ((other.State == "disk-snapshot") != (def.State == "disk-snapshot"))
                {
                    throw SnapshotErrors.InvalidArg($"cannot change between disk only and full system in snapshot {def.Name}");
                }
                def = def with { DomainXml = def.DomainXml ?? other.DomainXml };
            }
            tree.CheckParent(def);
            tree.Set(def);
            try
            {
                if ((flags & SnapshotFlags.CreateCurrent) != 0)
                {
                    SetCurrentLocked(domain.Uuid, tree, def.Name);
                }
                else
                {
                    SaveLocked(domain.Uuid, tree, def);
                }
            }
            catch (DomainOperationException)
            {
                if (other is not null)
                {
                    tree.Set(other);
                }
                else
                {
                    tree.Remove(def.Name);
                }
                throw;
            }
        }
        s_log.Info("Redefined snapshot {Snapshot} of domain {Domain}", def.Name, domain.Name);
        return def;
    }

    /// <summary>qemuSnapshotCreateXMLValidateDef: metadata is kept in files named by the snapshot.</summary>
    private static void CheckName(string name, uint flags)
    {
        if ((flags & SnapshotFlags.CreateNoMetadata) != 0)
        {
            return;
        }
        if (name.Contains('/'))
        {
            throw SnapshotErrors.Detail($"invalid snapshot name '{name}': name can't contain '/'");
        }
        if (name.StartsWith('.'))
        {
            throw SnapshotErrors.Detail($"invalid snapshot name '{name}': name can't start with '.'");
        }
    }
}
