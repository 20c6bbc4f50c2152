using Kvm.Driver.Host;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The host's figures (virNodeGetMemoryStats, virNodeGetCPUStats, virNodeGetCPUMap, virConnectGetCPUModelNames),
/// from the driver core's <see cref="Host"/> readers, with remote_daemon_dispatch.c's handling of the count a caller
/// asks for first (nparams 0) and of the flags that say which results to send.
/// </summary>
internal sealed class NodeProcedures
{
    private const int MaxNodeStats = 16;        // REMOTE_NODE_CPU_STATS_MAX, REMOTE_NODE_MEMORY_STATS_MAX
    private const int MaxCpuMap = 2048;         // REMOTE_CPUMAP_MAX
    private const int MaxCpuModels = 8192;      // REMOTE_CONNECT_CPU_MODELS_MAX

    public PacketBuffer GetMemoryStats(RpcCall call)
    {
        XdrReader args = call.Reader();
        int nparams = args.ReadInt32();
        int cellNum = args.ReadInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        CheckParamCount(nparams);
        NodeMemoryStats stats = NodeMemoryStats.Open(cellNum, flags);
        if (nparams == 0)
        {
            return StatsReply(call, [], stats.Count);
        }
        stats.CheckCount(nparams);
        return StatsReply(call, stats.Read(), 0);
    }

    public PacketBuffer GetCpuStats(RpcCall call)
    {
        XdrReader args = call.Reader();
        int cpuNum = args.ReadInt32();
        int nparams = args.ReadInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        CheckParamCount(nparams);
        NodeCpuStats stats = NodeCpuStats.Open(cpuNum, flags);
        if (nparams == 0)
        {
            return StatsReply(call, [], NodeCpuStats.Count);
        }
        NodeCpuStats.CheckCount(nparams);
        return StatsReply(call, stats.Read(), 0);
    }

    public PacketBuffer GetCpuMap(RpcCall call)
    {
        XdrReader args = call.Reader();
        bool needMap = args.ReadInt32() != 0;
        bool needOnline = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        NodeCpuMap map = NodeCpuMap.Read(flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteOpaque(needMap ? map.ToBytes() : [], MaxCpuMap);
        body.WriteUInt32(needOnline ? (uint)map.OnlineCount : 0);
        body.WriteInt32(map.Count);
        return reply;
    }

    public PacketBuffer GetCpuModelNames(RpcCall call)
    {
        XdrReader args = call.Reader();
        string arch = args.ReadString();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        IReadOnlyList<string> models = CpuModels.Names(arch, flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        IReadOnlyList<string> sent = needResults ? models : [];
        body.WriteArrayCount(sent.Count, MaxCpuModels);
        foreach (string model in sent)
        {
            body.WriteString(model);
        }
        body.WriteInt32(models.Count);
        return reply;
    }

    /// <summary>remote_daemon_dispatch.c's checks of the count before the driver is asked.</summary>
    private static void CheckParamCount(int nparams)
    {
        if (nparams < 0)
        {
            throw RemoteErrorException.Internal("nparams must be non-negative");
        }
        if (nparams > MaxNodeStats)
        {
            throw RemoteErrorException.Internal("nparams too large");
        }
    }

    /// <summary>remote_node_get_{memory,cpu}_stats_ret: the (field, value) pairs, then the count when it was asked for.</summary>
    private static PacketBuffer StatsReply(RpcCall call, IReadOnlyList<NodeStat> stats, int count)
    {
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(stats.Count, MaxNodeStats);
        foreach (NodeStat stat in stats)
        {
            body.WriteString(stat.Field);
            body.WriteUInt64(stat.Value);
        }
        body.WriteInt32(count);
        return reply;
    }
}
