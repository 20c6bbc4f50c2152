using Kvm.Driver.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The typed parameters of virDomainListGetStats / virConnectGetAllDomainStats for one domain, with libvirt's names
/// and types: state.state/reason (int), cpu.time (ullong ns), balloon.current/maximum (ullong KiB) and while active the balloon's figures (swap_in ... rss, last-update),
/// vcpu.current/maximum (uint), vcpu.&lt;n&gt;.state (int) and vcpu.&lt;n&gt;.time (ullong ns) while active, the net group
/// (net.count, net.&lt;n&gt;.name and rx/tx counters) while active, and the
/// block group (block.count, block.&lt;n&gt;.name/path, rd/wr/fl counters, allocation/capacity/physical).
/// </summary>
public static class DomainStats
{
    // virConnectGetAllDomainStatsFlags beyond the state filters.
    private const uint NoWait = 1u << 29, Backing = 1u << 30, EnforceStats = 1u << 31;
    private const uint SupportedFlags = (uint)DomainListFilter.StateFilters | NoWait | Backing | EnforceStats;

    /// <summary>Checks the flags and the requested groups, and returns the groups to collect.</summary>
    public static DomainStatsGroups Validate(uint stats, uint flags, string function)
    {
        LibvirtErrors.CheckFlags(flags, SupportedFlags, function);
        var requested = (DomainStatsGroups)stats;
        DomainStatsGroups unsupported = requested & ~DomainStatsGroups.Supported;
        if ((flags & EnforceStats) != 0 && unsupported != 0)
        {
            throw new DomainOperationException(VirErrorCode.NoSupport,
                $"Operation not supported: Stats types bits 0x{(uint)unsupported:x} are not supported by this daemon");
        }
        return requested == DomainStatsGroups.None ? DomainStatsGroups.Supported : requested & DomainStatsGroups.Supported;
    }

    public static List<KeyValuePair<string, VariantValue>> Collect(DomainInfo domain, DomainStatsGroups groups, IReadOnlyList<DomainVcpuInfo>? vcpus,
        IReadOnlyList<DomainBlockStats>? disks = null, IReadOnlyList<DomainInterfaceStats>? nets = null, IReadOnlyList<DomainMemoryStat>? memory = null)
    {
        var records = new List<KeyValuePair<string, VariantValue>>();
        if ((groups & DomainStatsGroups.State) != 0)
        {
            Add(records, "state.state", VariantValue.Int32((int)domain.State));
            Add(records, "state.reason", VariantValue.Int32(domain.Reason));
        }
        if ((groups & DomainStatsGroups.CpuTotal) != 0 && domain.Active)
        {
            Add(records, "cpu.time", VariantValue.UInt64(domain.CpuTimeNs));
        }
        if ((groups & DomainStatsGroups.Balloon) != 0)
        {
            AddBalloon(records, domain, memory);
        }
        if ((groups & DomainStatsGroups.Vcpu) != 0)
        {
            Add(records, "vcpu.current", VariantValue.UInt32(domain.Vcpus));
            Add(records, "vcpu.maximum", VariantValue.UInt32(domain.Vcpus));
            foreach (DomainVcpuInfo vcpu in vcpus ?? [])
            {
                Add(records, $"vcpu.{vcpu.Number}.state", VariantValue.Int32(vcpu.State));
                Add(records, $"vcpu.{vcpu.Number}.time", VariantValue.UInt64(vcpu.CpuTimeNs));
            }
        }
        if ((groups & DomainStatsGroups.Interface) != 0 && nets is not null && domain.Active)
        {
            AddInterfaces(records, nets);
        }
        if ((groups & DomainStatsGroups.Block) != 0 && disks is not null)
        {
            AddBlock(records, disks);
        }
        return records;
    }

    /// <summary>
    /// The balloon group as libvirt's QEMU driver reports it (qemuDomainGetStatsBalloon): balloon.current (the balloon's
    /// actual size while the domain runs with one, else the definition's current memory) and balloon.maximum, then
    /// the running domain's memory statistics under libvirt's names (the guest's figures, last-update, rss).
    /// </summary>
    private static void AddBalloon(List<KeyValuePair<string, VariantValue>> records, DomainInfo domain, IReadOnlyList<DomainMemoryStat>? memory)
    {
        ulong current = memory?.FirstOrDefault(m => m.Tag == DomainMemoryStat.ActualBalloon) is { Tag: DomainMemoryStat.ActualBalloon } actual
            ? actual.Value : domain.MemoryKiB;
        Add(records, "balloon.current", VariantValue.UInt64(current));
        Add(records, "balloon.maximum", VariantValue.UInt64(domain.MaxMemoryKiB));
        foreach (DomainMemoryStat stat in memory ?? [])
        {
            string? name = stat.Tag switch
            {
                DomainMemoryStat.SwapIn => "swap_in",
                DomainMemoryStat.SwapOut => "swap_out",
                DomainMemoryStat.MajorFault => "major_fault",
                DomainMemoryStat.MinorFault => "minor_fault",
                DomainMemoryStat.Unused => "unused",
                DomainMemoryStat.Available => "available",
                DomainMemoryStat.Rss => "rss",
                DomainMemoryStat.LastUpdate => "last-update",
                DomainMemoryStat.Usable => "usable",
                DomainMemoryStat.DiskCaches => "disk_caches",
                DomainMemoryStat.HugetlbPgalloc => "hugetlb_pgalloc",
                DomainMemoryStat.HugetlbPgfail => "hugetlb_pgfail",
                _ => null, // actual_balloon is balloon.current
            };
            if (name is not null)
            {
                Add(records, "balloon." + name, VariantValue.UInt64(stat.Value));
            }
        }
    }

    /// <summary>The memory statistics when the balloon group is wanted and the domain runs; null otherwise (or when it stopped meanwhile).</summary>
    public static async ValueTask<IReadOnlyList<DomainMemoryStat>?> GetMemoryAsync(IDomainManager manager, DomainInfo domain,
        DomainStatsGroups groups, CancellationToken cancellationToken)
    {
        if ((groups & DomainStatsGroups.Balloon) == 0 || !domain.Active)
        {
            return null;
        }
        try
        {
            return await manager.GetMemoryStatsAsync(domain.Uuid, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The block group as libvirt's QEMU driver reports it: block.count, then per disk name, path, the rd/wr/fl
    /// counters (times in ns) while the domain runs, and allocation, capacity and physical sizes when known.
    /// </summary>
    private static void AddBlock(List<KeyValuePair<string, VariantValue>> records, IReadOnlyList<DomainBlockStats> disks)
    {
        Add(records, "block.count", VariantValue.UInt32((uint)disks.Count));
        for (int i = 0; i < disks.Count; i++)
        {
            var disk = disks[i];
            string prefix = $"block.{i}.";
            Add(records, prefix + "name", VariantValue.String(disk.Name));
            if (disk.Path is { } path)
            {
                Add(records, prefix + "path", VariantValue.String(path));
            }
            if (disk.HasCounters)
            {
                Add(records, prefix + "rd.reqs", VariantValue.UInt64(disk.ReadRequests));
                Add(records, prefix + "rd.bytes", VariantValue.UInt64(disk.ReadBytes));
                Add(records, prefix + "rd.times", VariantValue.UInt64(disk.ReadTimeNs));
                Add(records, prefix + "wr.reqs", VariantValue.UInt64(disk.WriteRequests));
                Add(records, prefix + "wr.bytes", VariantValue.UInt64(disk.WriteBytes));
                Add(records, prefix + "wr.times", VariantValue.UInt64(disk.WriteTimeNs));
                Add(records, prefix + "fl.reqs", VariantValue.UInt64(disk.FlushRequests));
                Add(records, prefix + "fl.times", VariantValue.UInt64(disk.FlushTimeNs));
            }
            if (disk.Allocation is { } allocation)
            {
                Add(records, prefix + "allocation", VariantValue.UInt64(allocation));
            }
            if (disk.Capacity is { } capacity)
            {
                Add(records, prefix + "capacity", VariantValue.UInt64(capacity));
            }
            if (disk.Physical is { } physical)
            {
                Add(records, prefix + "physical", VariantValue.UInt64(physical));
            }
        }
    }

    /// <summary>
    /// The interface group as libvirt's QEMU driver reports it for a running domain: net.count, then per interface
    /// with a host device its name and, when the kernel has its counters, rx/tx bytes, pkts, errs and drop as the guest sees them.
    /// </summary>
    private static void AddInterfaces(List<KeyValuePair<string, VariantValue>> records, IReadOnlyList<DomainInterfaceStats> nets)
    {
        Add(records, "net.count", VariantValue.UInt32((uint)nets.Count));
        for (int i = 0; i < nets.Count; i++)
        {
            string prefix = $"net.{i}.";
            Add(records, prefix + "name", VariantValue.String(nets[i].Name));
            if (nets[i].Counters is { } c)
            {
                Add(records, prefix + "rx.bytes", VariantValue.UInt64(c.RxBytes));
                Add(records, prefix + "rx.pkts", VariantValue.UInt64(c.RxPackets));
                Add(records, prefix + "rx.errs", VariantValue.UInt64(c.RxErrors));
                Add(records, prefix + "rx.drop", VariantValue.UInt64(c.RxDrops));
                Add(records, prefix + "tx.bytes", VariantValue.UInt64(c.TxBytes));
                Add(records, prefix + "tx.pkts", VariantValue.UInt64(c.TxPackets));
                Add(records, prefix + "tx.errs", VariantValue.UInt64(c.TxErrors));
                Add(records, prefix + "tx.drop", VariantValue.UInt64(c.TxDrops));
            }
        }
    }

    /// <summary>The interfaces when the interface group is wanted and the domain runs; null otherwise or when it vanished meanwhile.</summary>
    public static IReadOnlyList<DomainInterfaceStats>? GetInterfaces(IDomainManager manager, DomainInfo domain, DomainStatsGroups groups)
    {
        if ((groups & DomainStatsGroups.Interface) == 0 || !domain.Active)
        {
            return null;
        }
        try
        {
            return manager.GetAllInterfaceStats(domain.Uuid);
        }
        catch (DomainOperationException)
        {
            return null;
        }
    }

    /// <summary>The disks when the block group is wanted; null otherwise (or when the domain vanished meanwhile).</summary>
    public static async ValueTask<IReadOnlyList<DomainBlockStats>?> GetDisksAsync(IDomainManager manager, DomainInfo domain,
        DomainStatsGroups groups, CancellationToken cancellationToken)
    {
        if ((groups & DomainStatsGroups.Block) == 0)
        {
            return null;
        }
        try
        {
            return await manager.GetBlockStatsAsync(domain.Uuid, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainOperationException)
        {
            return null;
        }
    }

    /// <summary>The vCPUs of an active domain when the vcpu group is wanted; null when not wanted or the domain stopped meanwhile.</summary>
    public static async ValueTask<IReadOnlyList<DomainVcpuInfo>?> GetVcpusAsync(IDomainManager manager, DomainInfo domain,
        DomainStatsGroups groups, CancellationToken cancellationToken)
    {
        if ((groups & DomainStatsGroups.Vcpu) == 0 || !domain.Active)
        {
            return null;
        }
        try
        {
            return await manager.GetVcpusAsync(domain.Uuid, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainOperationException)
        {
            return null; // stopped or vanished between the listing and this call: report what the listing had
        }
    }

    private static void Add(List<KeyValuePair<string, VariantValue>> records, string name, VariantValue value) => records.Add(new(name, value));
}
