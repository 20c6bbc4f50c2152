using System.Globalization;
using Kvm.Driver.Domains;
using Kvm.Driver.Interop;

namespace Kvm.Driver.Host;

/// <summary>
/// virNodeGetCPUStats as libvirt computes it on Linux (virHostCPUGetStatsLinux): from /proc/stat's "cpu" line (all
/// CPUs, -1) or "cpuN" line, "kernel" = system + irq + softirq, "user" = user + nice, "idle" and "iowait", each in
/// nanoseconds (clock ticks times 10^9 / _SC_CLK_TCK). <see cref="Open"/> makes libvirt's checks in libvirt's order;
/// a caller asking for the count (nparams 0) is told <see cref="Count"/>.
/// </summary>
public sealed class NodeCpuStats
{
    /// <summary>VIR_NODE_CPU_STATS_ALL_CPUS.</summary>
    public const int AllCpus = -1;

    /// <summary>LINUX_NB_CPU_STATS.</summary>
    public const int Count = 4;

    private static readonly Lazy<ulong> s_tickNanoseconds = new(() =>
    {
        long ticks = LibC.Sysconf(LibC.ScClkTck);
        return 1_000_000_000UL / (ulong)(ticks > 0 ? ticks : 100);
    });

    private readonly int _cpuNum;
    private readonly string _path;

    private NodeCpuStats(int cpuNum, string path)
    {
        _cpuNum = cpuNum;
        _path = path;
    }

    public static NodeCpuStats Open(int cpuNum, uint flags, string procRoot = "/proc")
    {
        if (cpuNum < AllCpus)
        {
            throw HostErrors.InvalidArg($"cpuNum in virNodeGetCPUStats only accepts {AllCpus} as a negative value");
        }
        HostErrors.CheckNoFlags(flags, "virHostCPUGetStats");
        return new NodeCpuStats(cpuNum, Path.Combine(procRoot, "stat"));
    }

    /// <summary>libvirt's check of the caller's parameter count.</summary>
    public static void CheckCount(int nparams)
    {
        if (nparams != Count)
        {
            throw HostErrors.InvalidArg($"nparams in virHostCPUGetStatsLinux must be equal to {Count}");
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

        return Parse(lines, _cpuNum, s_tickNanoseconds.Value);
    }

    internal static IReadOnlyList<NodeStat> Parse(IEnumerable<string> lines, int cpuNum, ulong tickNanoseconds)
    {
        string header = cpuNum == AllCpus ? "cpu " : $"cpu{cpuNum.ToString(CultureInfo.InvariantCulture)} ";
        foreach (string line in lines)
        {
            if (!line.StartsWith(header, StringComparison.Ordinal))
            {
                continue;
            }

            ulong[] t = line[header.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(w => ulong.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : 0).ToArray();
            if (t.Length < 4)
            {
                continue;
            }

            ulong At(int i) => i < t.Length ? t[i] : 0;
            // user nice system idle iowait irq softirq steal guest guest_nice (proc(5))
            return
            [
                new NodeStat("kernel", (At(2) + At(5) + At(6)) * tickNanoseconds),
                new NodeStat("user", (At(0) + At(1)) * tickNanoseconds),
                new NodeStat("idle", At(3) * tickNanoseconds),
                new NodeStat("iowait", At(4) * tickNanoseconds),
            ];
        }

        throw HostErrors.InvalidArg("Invalid cpuNum in virHostCPUGetStatsLinux");
    }
}
