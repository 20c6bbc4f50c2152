using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// virDomainMemoryStats, virDomainSetMemory(Flags) and virDomainSetMemoryStatsPeriod: a running domain's balloon,
/// the same driver-core calls as the D-Bus front end's MemoryStats, SetMemory and SetMemoryStatsPeriod.
/// </summary>
internal sealed class DomainMemoryProcedures
{
    private const int MaxMemoryStats = 1024; // REMOTE_DOMAIN_MEMORY_STATS_MAX
    private const uint AffectLive = 1; // VIR_DOMAIN_AFFECT_LIVE

    private readonly IDomainManager _manager;
    private readonly CancellationToken _stopping;

    public DomainMemoryProcedures(IDomainManager manager, CancellationToken stopping)
    {
        _manager = manager;
        _stopping = stopping;
    }

    /// <summary>remote_domain_memory_stats_args { dom; maxStats; flags } → remote_domain_memory_stat { int tag; uhyper val }&lt;&gt;.</summary>
    public async ValueTask<PacketBuffer> MemoryStatsAsync(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        uint maxStats = args.ReadUInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        if (maxStats > MaxMemoryStats)
        {
            throw new RemoteErrorException(RemoteError.Rpc("maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX"));
        }

        Api.LibvirtErrors.CheckFlags(flags, 0, "qemuDomainMemoryStats");
        var stats = await _manager.GetMemoryStatsAsync(_manager.LookupByUuid(uuid).Uuid, _stopping).ConfigureAwait(false);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        int count = (int)Math.Min((uint)stats.Count, maxStats);
        body.WriteArrayCount(count, MaxMemoryStats);
        for (int i = 0; i < count; i++)
        {
            body.WriteInt32(stats[i].Tag);
            body.WriteUInt64(stats[i].Value);
        }

        return reply;
    }

    /// <summary>remote_domain_set_memory_args { dom; uhyper memory } and the _flags variant; live only.</summary>
    public async ValueTask<PacketBuffer> SetMemoryAsync(RpcCall call, bool withFlags)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        ulong kib = args.ReadUInt64();
        uint flags = withFlags ? args.ReadUInt32() : 0;
        args.EnsureEnd();
        Api.LibvirtErrors.CheckFlags(flags, AffectLive, "qemuDomainSetMemoryFlags");
        await _manager.SetMemoryAsync(_manager.LookupByUuid(uuid).Uuid, kib, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    /// <summary>remote_domain_set_memory_stats_period_args { dom; int period; flags }.</summary>
    public async ValueTask<PacketBuffer> SetMemoryStatsPeriodAsync(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        int period = args.ReadInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        Api.LibvirtErrors.CheckFlags(flags, AffectLive, "qemuDomainSetMemoryStatsPeriod");
        await _manager.SetMemoryStatsPeriodAsync(_manager.LookupByUuid(uuid).Uuid, period, _stopping).ConfigureAwait(false);
        return call.Empty();
    }
}
