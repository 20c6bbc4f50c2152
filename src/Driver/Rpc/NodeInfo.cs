using System.Globalization;
using Kvm.Driver.Api;

namespace Kvm.Driver.Rpc;

/// <summary>virNodeInfo (remote_node_get_info_ret) from the host's topology: counts per NUMA node, socket and core.</summary>
internal readonly record struct NodeInfo(string Model, ulong MemoryKiB, int Cpus, int Mhz, int Nodes, int Sockets, int Cores, int Threads)
{
    public static NodeInfo From(HostInfo host, int mhz)
    {
        HostCpu[] cpus = host.Cpus.ToArray();
        int nodes = Math.Max(1, host.Cells.Count);
        int sockets = Math.Max(1, cpus.Select(c => c.SocketId).Distinct().Count());
        int cores = Math.Max(1, cpus.Select(c => (c.SocketId, c.DieId, c.CoreId)).Distinct().Count());
        int count = Math.Max(1, cpus.Length);
        return new NodeInfo(host.Arch, host.MemoryKiB, count, mhz, nodes, Math.Max(1, sockets / nodes), Math.Max(1, cores / sockets),
            Math.Max(1, count / cores));
    }

    /// <summary>The first "cpu MHz" of /proc/cpuinfo, whole megahertz (0 where the kernel does not say).</summary>
    public static int ReadMhz(string cpuinfo = "/proc/cpuinfo")
    {
        foreach (string line in File.ReadLines(cpuinfo))
        {
            if (line.StartsWith("cpu MHz", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0
                && double.TryParse(line.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double mhz))
            {
                return (int)mhz;
            }
        }
        return 0;
    }

    /// <summary>char model[32] is a fixed XDR array: each char is a 4-byte unit; the model is NUL-padded.</summary>
    public void Write(ref XdrWriter writer)
    {
        for (int i = 0; i < 32; i++)
        {
            writer.WriteInt32(i < Model.Length && i < 31 ? (sbyte)Model[i] : 0);
        }
        writer.WriteUInt64(MemoryKiB);
        writer.WriteInt32(Cpus);
        writer.WriteInt32(Mhz);
        writer.WriteInt32(Nodes);
        writer.WriteInt32(Sockets);
        writer.WriteInt32(Cores);
        writer.WriteInt32(Threads);
    }
}
