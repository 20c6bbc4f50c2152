using Kvm.DBus.Protocol;
using Kvm.Driver.Domains;

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

    public static List<KeyValuePair<string, DBusValue>> Collect(DomainInfo domain, DomainStatsGroups groups, IReadOnlyList<DomainVcpuInfo>? vcpus)
    {
        var records = new List<KeyValuePair<string, DBusValue>>();
        if ((groups & DomainStatsGroups.State) != 0)
        {
            Add(records, "state.state", DBusValue.Int32((int)domain.State));
            Add(records, "state.reason", DBusValue.Int32(domain.Reason));
        }
        if ((groups & DomainStatsGroups.CpuTotal) != 0 && domain.Active)
        {
            Add(records, "cpu.time", DBusValue.UInt64(domain.CpuTimeNs));
        }
        if ((groups & DomainStatsGroups.Balloon) != 0)
        {
            Add(records, "balloon.current", DBusValue.UInt64(domain.MemoryKiB));
            Add(records, "balloon.maximum", DBusValue.UInt64(domain.MaxMemoryKiB));
        }
        if ((groups & DomainStatsGroups.Vcpu) != 0)
        {
            Add(records, "vcpu.current", DBusValue.UInt32(domain.Vcpus));
            Add(records, "vcpu.maximum", DBusValue.UInt32(domain.Vcpus));
            foreach (DomainVcpuInfo vcpu in vcpus ?? [])
            {
                Add(records, $"vcpu.{vcpu.Number}.state", DBusValue.Int32(vcpu.State));
                Add(records, $"vcpu.{vcpu.Number}.time", DBusValue.UInt64(vcpu.CpuTimeNs));
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

    /// <summary>Writes an a{sv} of typed parameters the way libvirt-dbus does: each value wrapped in two variants.</summary>
    public static void WriteDoubleWrapped(ref MessageWriter writer, IEnumerable<KeyValuePair<string, DBusValue>> records)
    {
        ArrayStart dict = writer.WriteArrayStart(DBusType.DictEntry);
        foreach ((string name, DBusValue value) in records)
        {
            writer.WriteDictEntryStart();
            writer.WriteString(name);
            writer.WriteVariant(DBusValue.Variant(value));
        }
        writer.WriteArrayEnd(dict);
    }

    private static void Add(List<KeyValuePair<string, DBusValue>> records, string name, DBusValue value) => records.Add(new(name, value));
}
