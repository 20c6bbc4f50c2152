using System.Globalization;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Host;

/// <summary>
/// virNodeGetCPUMap as libvirt computes it on Linux (virHostCPUGetMap): the number of CPUs is the size of sysfs's
/// present map (the highest present CPU plus one), and the map says which of them are online (sysfs's online map).
/// </summary>
public sealed record NodeCpuMap(int Count, IReadOnlyList<bool> Online)
{
    public int OnlineCount => Online.Count(o => o);

    public static NodeCpuMap Read(uint flags, string sysRoot = "/sys")
    {
        HostErrors.CheckNoFlags(flags, "virHostCPUGetMap");

        string dir = Path.Combine(sysRoot, "devices/system/cpu");
        HashSet<int> present = ReadList(Path.Combine(dir, "present"));
        HashSet<int> online = ReadList(Path.Combine(dir, "online"));
        int count = present.Count == 0 ? 0 : present.Max() + 1;
        return new NodeCpuMap(count, Enumerable.Range(0, count).Select(online.Contains).ToArray());
    }

    /// <summary>The bitmap's bytes, CPU 0 in bit 0 of byte 0 (VIR_CPU_USED), VIR_CPU_MAPLEN(Count) of them.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[(Count + 7) / 8];
        for (int cpu = 0; cpu < Count; cpu++)
        {
            if (Online[cpu])
            {
                bytes[cpu / 8] |= (byte)(1 << (cpu % 8));
            }
        }
        return bytes;
    }

    /// <summary>A sysfs CPU list such as "0-3,5,7-8" (virBitmapParseUnlimited).</summary>
    internal static HashSet<int> ParseList(string text)
    {
        var cpus = new HashSet<int>();
        foreach (string part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] ends = part.Split('-');
            if (ends.Length is < 1 or > 2 || !int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(ends[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last) || last < first)
            {
                throw DomainErrors.Internal($"Failed to parse CPU list '{text.Trim()}'");
            }
            for (int cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }
        return cpus;
    }

    private static HashSet<int> ReadList(string path)
    {
        try
        {
            return ParseList(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DomainOperationException(VirErrorCode.SystemError, $"Unable to read from '{path}': {e.Message}", e);
        }
    }
}
