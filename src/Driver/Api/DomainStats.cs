using Kvm.Driver.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The typed parameters of virDomainListGetStats / virConnectGetAllDomainStats for one domain, with libvirt's names
/// and types: state.state/reason (int), cpu.time (ullong ns), balloon.current/maximum (ullong KiB),
/// vcpu.current/maximum (uint), vcpu.&lt;n&gt;.state (int) and vcpu.&lt;n&gt;.time (ullong ns) while active.
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

    public static List<KeyValuePair<string, VariantValue>> Collect(DomainInfo domain, DomainStatsGroups groups, IReadOnlyList<DomainVcpuInfo>? vcpus)
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
            Add(records, "balloon.current", VariantValue.UInt64(domain.MemoryKiB));
            Add(records, "balloon.maximum", VariantValue.UInt64(domain.MaxMemoryKiB));
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
        return records;
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
