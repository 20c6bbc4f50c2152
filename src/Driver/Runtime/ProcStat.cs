using System.Globalization;

namespace Kvm.Driver.Runtime;

/// <summary>The fields of /proc/&lt;pid&gt;/stat kvmd needs (proc(5)): state, utime, stime, processor, starttime.</summary>
public readonly record struct ProcStat(char State, ulong UserTicks, ulong SystemTicks, int Processor, ulong StartTime)
{
    /// <summary>USER_HZ: the unit of the tick fields, 100 on every Linux architecture kvmd runs on.</summary>
    public const ulong TicksPerSecond = 100;

    public ulong CpuTimeNs => (UserTicks + SystemTicks) * (1_000_000_000 / TicksPerSecond);

    public bool IsAlive => State is not ('Z' or 'X' or 'x');

    public static bool TryRead(int pid, out ProcStat stat) => TryReadFile($"/proc/{pid}/stat", out stat);

    public static bool TryReadThread(int pid, int tid, out ProcStat stat) => TryReadFile($"/proc/{pid}/task/{tid}/stat", out stat);

    /// <summary>Parses one stat line; the command name (field 2) may hold spaces and parentheses, so fields count from the last ')'.</summary>
    public static bool TryParse(string line, out ProcStat stat)
    {
        stat = default;
        int close = line.LastIndexOf(')');
        if (close < 0 || close + 2 >= line.Length)
        {
            return false;
        }

        // Fields from 3 (state) on.
        string[] fields = line[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int First = 3;
        if (fields.Length < 39 - First + 1 || fields[0].Length != 1)
        {
            return false;
        }

        if (!ulong.TryParse(fields[14 - First], NumberStyles.None, CultureInfo.InvariantCulture, out ulong utime)
            || !ulong.TryParse(fields[15 - First], NumberStyles.None, CultureInfo.InvariantCulture, out ulong stime)
            || !ulong.TryParse(fields[22 - First], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start)
            || !int.TryParse(fields[39 - First], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int processor))
        {
            return false;
        }

        stat = new ProcStat(fields[0][0], utime, stime, processor, start);
        return true;
    }

    /// <summary>True when <paramref name="pid"/> is a live process that started at <paramref name="startTime"/>.</summary>
    public static bool IsSameLiveProcess(int pid, ulong startTime) =>
        TryRead(pid, out ProcStat stat) && stat.IsAlive && stat.StartTime == startTime;

    private static bool TryReadFile(string path, out ProcStat stat)
    {
        stat = default;
        string line;
        try
        {
            line = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return TryParse(line, out stat);
    }
}
