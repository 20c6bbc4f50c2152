using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

public sealed partial class SnapshotManager
{
    private const VirErrorCode SnapshotRevertRisky = (VirErrorCode)77; // VIR_ERR_SNAPSHOT_REVERT_RISKY

    /// <summary>
    /// virDomainRevertToSnapshot to a snapshot of the shut-off domain (qemuSnapshotRevertInactive): a running domain
    /// is stopped first, every internal disk goes back with qemu-img snapshot -a, the definition becomes the one the
    /// snapshot kept (DEFINED/FROM_SNAPSHOT), the snapshot becomes current; RUNNING or PAUSED then starts the domain.
    /// External snapshots (libvirt 9.0: "not supported yet") and snapshots with memory state are refused.
    /// </summary>
    public async ValueTask RevertAsync(Guid uuid, string name, uint flags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if ((flags & SnapshotFlags.RevertRunning) != 0 && (flags & SnapshotFlags.RevertPaused) != 0)
        {
            throw SnapshotErrors.Exclusive("VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING", "VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED");
        }
        LibvirtErrors.CheckFlags(flags, SnapshotFlags.RevertRunning | SnapshotFlags.RevertPaused | SnapshotFlags.RevertForce,
            "qemuDomainRevertToSnapshot");
        DomainInfo domain = _domains.LookupByUuid(uuid);
        SnapshotDef def = CheckRevert(domain, Lookup(uuid, name, 0), flags);
        if (domain.Active)
        {
            // Transitions 4 and 7 of qemuSnapshotRevert: the running domain stops before its disks go back.
            await _domains.DestroyAsync(uuid, cancellationToken).ConfigureAwait(false);
        }

        _domains.WithDomainJob(uuid, current =>
        {
            if (current.Active)
            {
                throw SnapshotErrors.Invalid("domain started again while reverting to a snapshot");
            }
            var target = SnapshotDomain.Parse(def.DomainXml!);
            foreach (SnapshotDiskDef disk in def.Disks.Where(d => d.Location == SnapshotLocation.Internal))
            {
                string image = target.Disk(disk.Name)?.Source ?? throw SnapshotErrors.Internal($"snapshot '{def.Name}' names disk {disk.Name}, which its domain lacks");
                _qemuImg.Internal("-a", def.Name, image, disk.Name);
            }
            if (current.Persistent)
            {
                _domains.DefineFromSnapshot(def.DomainXml!);
            }
            lock (_gate)
            {
                DomainSnapshotTree tree = Tree(uuid);
                if (tree.TryGet(def.Name, out _))
                {
                    SetCurrentLocked(uuid, tree, def.Name);
                }
            }
            return 0;
        });
        s_log.Info("Reverted domain {Domain} to snapshot {Snapshot}", domain.Name, def.Name);

        if ((flags & (SnapshotFlags.RevertRunning | SnapshotFlags.RevertPaused)) != 0)
        {
            await _domains.StartAsync(uuid, (flags & SnapshotFlags.RevertPaused) != 0, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>qemuSnapshotRevertValidate and the states kvmd can go back to.</summary>
    private static SnapshotDef CheckRevert(DomainInfo domain, SnapshotDef def, uint flags)
    {
        if (!domain.Persistent && def.State is not ("running" or "paused")
            && (flags & (SnapshotFlags.RevertRunning | SnapshotFlags.RevertPaused)) == 0)
        {
            throw SnapshotErrors.Invalid("transient domain needs to request run or pause to revert to inactive snapshot");
        }
        if (def.IsExternal)
        {
            throw SnapshotErrors.Config("revert to external snapshot not supported yet");
        }
        if (def.DomainXml is null)
        {
            throw new DomainOperationException(SnapshotRevertRisky, $"revert requires force: snapshot '{def.Name}' lacks domain '{domain.Name}' rollback info");
        }
        return def.State switch
        {
            "shutoff" or "shutdown" or "crashed" => def,
            "running" or "paused" => throw SnapshotErrors.Unsupported(
                $"snapshot '{def.Name}' holds a running domain's memory state, which kvm-vmm cannot load yet"),
            "pmsuspended" => throw SnapshotErrors.Unsupported("qemu doesn't support reversion of snapshot taken in PMSUSPENDED state"),
            _ => throw SnapshotErrors.Internal($"Invalid target domain state '{def.State}'. Refusing snapshot reversion"),
        };
    }
}
