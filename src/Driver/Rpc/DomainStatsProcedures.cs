using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Rpc;

/// <summary>virConnectGetAllDomainStats and virDomainListGetStats (one procedure): the same statistics the D-Bus front end reports.</summary>
internal sealed class DomainStatsProcedures
{
    private readonly IDomainManager _manager;
    private readonly CancellationToken _stopping;

    public DomainStatsProcedures(IDomainManager manager, CancellationToken stopping)
    {
        _manager = manager;
        _stopping = stopping;
    }

    public async ValueTask<PacketBuffer> GetAllDomainStatsAsync(RpcCall call)
    {
        (Guid[] requested, uint stats, uint flags) = ReadArgs(call);
        DomainStatsGroups groups = DomainStats.Validate(stats, flags, "qemuConnectGetAllDomainStats");
        var filter = (DomainListFlags)flags & DomainListFilter.StateFilters;
        IEnumerable<DomainInfo> domains = requested.Length == 0
            ? _manager.List().Where(d => DomainListFilter.Matches(d, filter))
            : requested.Select(_manager.LookupByUuid).ToArray();
        var records = new List<(DomainInfo Domain, List<KeyValuePair<string, VariantValue>> Stats)>();
        foreach (DomainInfo domain in domains)
        {
            IReadOnlyList<DomainVcpuInfo>? vcpus = await DomainStats.GetVcpusAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
            IReadOnlyList<DomainBlockStats>? disks = await DomainStats.GetDisksAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
            IReadOnlyList<DomainInterfaceStats>? nets = DomainStats.GetInterfaces(_manager, domain, groups);
            IReadOnlyList<DomainMemoryStat>? memory = await DomainStats.GetMemoryAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
            records.Add((domain, DomainStats.Collect(domain, groups, vcpus, disks, nets, memory)));
        }
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(records.Count, RpcLimits.MaxDomainList);
        foreach ((DomainInfo domain, List<KeyValuePair<string, VariantValue>> domainStats) in records)
        {
            RemoteDomain.Write(ref body, domain);
            TypedParameters.Write(ref body, domainStats, TypedParameters.MaxDomainStats);
        }
        return reply;
    }

    private static (Guid[] Domains, uint Stats, uint Flags) ReadArgs(RpcCall call)
    {
        XdrReader args = call.Reader();
        // A domain reference is at least a name length, 16 UUID bytes and an id: 24 bytes.
        int count = args.ReadArrayCount(RpcLimits.MaxDomainList, minElementSize: 24);
        var domains = new Guid[count];
        for (int i = 0; i < count; i++)
        {
            domains[i] = RemoteDomain.ReadUuid(ref args);
        }
        uint stats = args.ReadUInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return (domains, stats, flags);
    }
}
