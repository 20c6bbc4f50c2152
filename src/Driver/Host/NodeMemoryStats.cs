using System.Globalization;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Host;

/// <summary>
/// virNodeGetMemoryStats as libvirt computes it on Linux (virHostMemGetStats): for all cells (-1) /proc/meminfo's
/// MemTotal, MemFree, Buffers and Cached as "total", "free", "buffers" and "cached"; for one NUMA cell its node's
/// meminfo (MemTotal and MemFree only). A host without NUMA nodes in sysfs answers cell 0 for the whole host. Values
/// in KiB. <see cref="Open"/> makes libvirt's checks in libvirt's order; a caller asking for the count (nparams 0) is
/// told <see cref="Count"/>.
/// </summary>
public sealed class NodeMemoryStats
{
    /// <summary>VIR_NODE_MEMORY_STATS_ALL_CELLS.</summary>
    public const int AllCells = -1;

    private static readonly (string Header, string Field)[] s_fields =
        [("MemTotal:", "total"), ("MemFree:", "free"), ("Buffers:", "buffers"), ("Cached:", "cached")];

    private readonly string _path;

    private NodeMemoryStats(string path, int count)
    {
        _path = path;
        Count = count;
    }

    /// <summary>How many figures the cell has (LINUX_NB_MEMORY_STATS_ALL / _CELL).</summary>
    public int Count { get; }

    public static NodeMemoryStats Open(int cellNum, uint flags, string procRoot = "/proc", string sysRoot = "/sys")
    {
        if (cellNum < AllCells)
        {
            throw HostErrors.InvalidArg($"cellNum in virNodeGetMemoryStats only accepts {AllCells} as a negative value");
        }
        HostErrors.CheckNoFlags(flags, "virHostMemGetStats");

        string nodeDir = Path.Combine(sysRoot, "devices/system/node");
        int maxNode = MaxNode(nodeDir);
        if (maxNode < 0 && cellNum == 0)
        {
            cellNum = AllCells; // libvirt claims one cell without NUMA: the whole host
        }
        if (cellNum == AllCells)
        {
            return new NodeMemoryStats(Path.Combine(procRoot, "meminfo"), 4);
        }
        if (cellNum > maxNode)
        {
            throw HostErrors.InvalidArg($"cellNum in virHostMemGetStats must be less than or equal to {Math.Max(0, maxNode)}");
        }
        return new NodeMemoryStats(Path.Combine(nodeDir, $"node{cellNum}", "meminfo"), 2);
    }

    /// <summary>libvirt's check of the caller's parameter count (virHostMemGetStatsLinux).</summary>
    public void CheckCount(int nparams)
    {
        if (nparams != Count)
        {
            throw HostErrors.InvalidArg($"nparams in virHostMemGetStatsLinux must be {Count}");
        }
    }

    public IReadOnlyList<NodeStat> Read()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DomainOperationException(VirErrorCode.SystemError, $"cannot open {_path}: {e.Message}", e);
        }

        return Parse(lines, Count);
    }

    /// <summary>The figures of a meminfo file, in its order, at most <paramref name="count"/> ("Node N " prefixes skipped).</summary>
    internal static IReadOnlyList<NodeStat> Parse(IEnumerable<string> lines, int count)
    {
        var stats = new List<NodeStat>(count);
        foreach (string line in lines)
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int first = words.Length > 2 && words[0] == "Node" ? 2 : 0;
            if (words.Length < first + 2 || !ulong.TryParse(words[first + 1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong kib))
            {
                continue;
            }

            foreach ((string header, string field) in s_fields)
            {
                if (words[first] == header)
                {
                    stats.Add(new NodeStat(field, kib));
                    break;
                }
            }

            if (stats.Count >= count)
            {
                break;
            }
        }

        if (stats.Count == 0)
        {
            throw DomainErrors.Internal("no available memory line found");
        }
        return stats;
    }

    private static int MaxNode(string nodeDir)
    {
        if (!Directory.Exists(nodeDir))
        {
            return -1;
        }
        return Directory.EnumerateDirectories(nodeDir, "node*").Select(Path.GetFileName)
            .Select(n => int.TryParse(n.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : -1)
            .DefaultIfEmpty(-1).Max();
    }
}
