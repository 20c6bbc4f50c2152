using System.Text.Json.Nodes;
using Kvm.DomainXml.Model;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;
using Kvm.Qmp.Commands;

namespace Kvm.Driver.Domains;

/// <summary>
/// A domain's disks through its VMM's QMP monitor, as libvirt's QEMU driver asks QEMU: query-block and
/// query-blockstats for the block stats and disk errors, block_resize by node name. Disks are matched to the
/// definition by libvirt's device alias (virtio-diskN, N from the target name), which kvm-vmm and QEMU both report.
/// </summary>
internal sealed class DomainDisks
{
    private const uint BlockResizeBytes = 1; // VIR_DOMAIN_BLOCK_RESIZE_BYTES

    private readonly DomainTable _table;

    public DomainDisks(DomainTable table)
    {
        _table = table;
    }

    /// <summary>The disks of the domain: names and sources always, the VMM's counters and sizes while it runs.</summary>
    public async ValueTask<IReadOnlyList<DomainBlockStats>> GetBlockStatsAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var entry = _table.Find(uuid);
        VmmInstance? vmm;
        IReadOnlyList<DiskDef> disks;
        lock (_table.Gate)
        {
            vmm = entry.Active ? entry.Vmm : null;
            disks = entry.Current.Definition.Devices.Disks;
        }

        var stats = disks.Select(d => new DomainBlockStats(d.TargetDev, d.Source)).ToList();
        if (vmm is null)
        {
            return stats;
        }

        IReadOnlyList<QmpBlockInfo> block;
        IReadOnlyList<QmpBlockStats> blockstats;
        try
        {
            block = await vmm.Qmp.QueryBlockAsync(cancellationToken).ConfigureAwait(false) ?? [];
            blockstats = await vmm.Qmp.QueryBlockstatsAsync(cancellationToken).ConfigureAwait(false) ?? [];
        }
        catch (QmpException e) when (e.ErrorClass == QmpErrorClass.CommandNotFound)
        {
            return stats;
        }
        catch (QmpConnectionException)
        {
            return stats; // stopped meanwhile: what the definition says
        }

        for (int i = 0; i < stats.Count; i++)
        {
            string qdev = QdevPath(stats[i].Name);
            QmpBlockInfo? info = block.FirstOrDefault(b => b.Qdev == qdev);
            QmpBlockDeviceStats? counters = blockstats.FirstOrDefault(b => b.Qdev == qdev)?.Stats;
            if (info is null || counters is null)
            {
                continue;
            }

            QmpImageInfo? image = info.Inserted?.Image;
            stats[i] = stats[i] with
            {
                HasCounters = true,
                ReadRequests = Counter(counters.RdOperations),
                ReadBytes = Counter(counters.RdBytes),
                ReadTimeNs = Counter(counters.RdTotalTimeNs),
                WriteRequests = Counter(counters.WrOperations),
                WriteBytes = Counter(counters.WrBytes),
                WriteTimeNs = Counter(counters.WrTotalTimeNs),
                FlushRequests = Counter(counters.FlushOperations),
                FlushTimeNs = Counter(counters.FlushTotalTimeNs),
                Allocation = Counter(counters.WrHighestOffset),
                Capacity = image is null ? null : (ulong)image.VirtualSize,
                Physical = image?.ActualSize is { } actual ? (ulong)actual : PhysicalSize(stats[i].Path),
            };
        }

        return stats;
    }

    /// <summary>The disks the VMM reports an I/O error for (virDomainGetDiskErrors: 1 unspecified, 2 no space).</summary>
    public async ValueTask<IReadOnlyList<(string Disk, int Error)>> GetDiskErrorsAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var (vmm, disks) = RunningDisks(uuid);
        IReadOnlyList<QmpBlockInfo> block = await QueryBlockAsync(vmm, cancellationToken).ConfigureAwait(false);
        var errors = new List<(string, int)>();
        foreach (var disk in disks)
        {
            string? status = block.FirstOrDefault(b => b.Qdev == QdevPath(disk.TargetDev))?.IoStatus;
            if (status is "failed" or "nospace")
            {
                errors.Add((disk.Source ?? disk.TargetDev, status == "nospace" ? 2 : 1));
            }
        }

        return errors;
    }

    /// <summary>virDomainBlockResize: <paramref name="size"/> in KiB, or bytes with VIR_DOMAIN_BLOCK_RESIZE_BYTES.</summary>
    public async ValueTask BlockResizeAsync(Guid uuid, string disk, ulong size, uint flags, CancellationToken cancellationToken)
    {
        // In libvirt's order: flags, the size, then the domain and its disk.
        if ((flags & ~BlockResizeBytes) != 0)
        {
            throw DomainErrors.InvalidArg($"unsupported flags (0x{flags & ~BlockResizeBytes:x}) in function qemuDomainBlockResize");
        }

        if ((flags & BlockResizeBytes) == 0 && size > ulong.MaxValue / 1024)
        {
            throw new DomainOperationException(VirErrorCode.Overflow, $"value too large: size must be less than {ulong.MaxValue / 1024}");
        }

        ulong bytes = (flags & BlockResizeBytes) != 0 ? size : size * 1024;
        var (vmm, disks) = RunningDisks(uuid);
        var target = disks.FirstOrDefault(d => d.TargetDev == disk || d.Source == disk)
            ?? throw DomainErrors.InvalidArg($"disk '{disk}' was not found in the domain config");
        if (bytes > long.MaxValue - 511)
        {
            throw DomainErrors.InvalidArg($"size {bytes} is larger than a disk can be");
        }

        IReadOnlyList<QmpBlockInfo> block = await QueryBlockAsync(vmm, cancellationToken).ConfigureAwait(false);
        string? node = block.FirstOrDefault(b => b.Qdev == QdevPath(target.TargetDev))?.Inserted?.NodeName;
        if (node is null)
        {
            throw DomainErrors.OperationFailed($"disk '{target.TargetDev}' is not known to the VMM");
        }

        // QEMU (and so libvirt) wants whole sectors: libvirt rounds a raw image's size up to 512 bytes.
        bytes = (bytes + 511) & ~511UL;
        await ExecuteBlockAsync(vmm, "block_resize", new JsonObject { ["node-name"] = node, ["size"] = (long)bytes }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>libvirt's qdev path of a virtio disk: /machine/peripheral/virtio-diskN/virtio-backend.</summary>
    internal static string QdevPath(string targetDev) => $"/machine/peripheral/virtio-disk{DiskIndex(targetDev)}/virtio-backend";

    /// <summary>virDiskNameToIndex: the letters after the prefix as a bijective base-26 number (vda 0, vdz 25, vdaa 26).</summary>
    internal static int DiskIndex(string targetDev)
    {
        int index = 0;
        foreach (char c in targetDev.AsSpan(Math.Min(2, targetDev.Length)))
        {
            if (c is < 'a' or > 'z')
            {
                break;
            }

            index = (index * 26) + (c - 'a' + 1);
        }

        return index - 1;
    }

    private (VmmInstance Vmm, IReadOnlyList<DiskDef> Disks) RunningDisks(Guid uuid)
    {
        var entry = _table.Find(uuid);
        lock (_table.Gate)
        {
            DomainStateMachine.Decide(DomainOperation.Block, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
            var vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");
            return (vmm, entry.Current.Definition.Devices.Disks);
        }
    }

    private static async ValueTask<JsonNode?> ExecuteBlockAsync(VmmInstance vmm, string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await vmm.ExecuteAsync(command, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e)
        {
            throw DomainErrors.OperationFailed($"{command}: {e.Message}", e);
        }
        catch (QmpConnectionException e)
        {
            throw DomainErrors.OperationFailed("domain is no longer running", e);
        }
    }

    /// <summary>query-block with libvirt's errors for what can go wrong.</summary>
    private static async ValueTask<IReadOnlyList<QmpBlockInfo>> QueryBlockAsync(VmmInstance vmm, CancellationToken cancellationToken)
    {
        try
        {
            return await vmm.Qmp.QueryBlockAsync(cancellationToken).ConfigureAwait(false) ?? [];
        }
        catch (QmpException e)
        {
            throw DomainErrors.OperationFailed($"query-block: {e.Message}", e);
        }
        catch (QmpConnectionException e)
        {
            throw DomainErrors.OperationFailed("domain is no longer running", e);
        }
    }

    private static ulong Counter(long value) => (ulong)Math.Max(0, value);

    private static ulong? PhysicalSize(string? path)
    {
        try
        {
            return path is not null && File.Exists(path) ? (ulong)new FileInfo(path).Length : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
