using System.Globalization;
using System.Runtime.InteropServices;

namespace Kvm.Driver.Api;

/// <summary>
/// What the host is, read from /proc and sysfs (the root directories are parameters so tests can feed their own):
/// architecture, CPU vendor/model, CPUs with topology, NUMA cells, memory, huge page sizes, SMBIOS (DMI) fields.
/// </summary>
public sealed record HostInfo(
    string Arch,
    string? CpuVendor,
    string? CpuModelName,
    IReadOnlyList<HostNumaCell> Cells,
    ulong MemoryKiB,
    IReadOnlyList<ulong> PageSizesKiB,
    bool Iommu,
    IReadOnlyDictionary<string, string> Dmi)
{
    public IEnumerable<HostCpu> Cpus => Cells.SelectMany(c => c.Cpus);

    public static HostInfo Read(string procRoot = "/proc", string sysRoot = "/sys")
    {
        Dictionary<string, string> cpuinfo = FirstCpuInfo(Path.Combine(procRoot, "cpuinfo"));
        ulong memory = ReadMemInfo(Path.Combine(procRoot, "meminfo"), "MemTotal") ?? 0;
        List<HostCpu> cpus = ReadCpus(sysRoot);
        var cells = new List<HostNumaCell>();
        string nodeDir = Path.Combine(sysRoot, "devices/system/node");
        foreach (int node in NumberedEntries(nodeDir, "node"))
        {
            ulong nodeMemory = ReadMemInfo(Path.Combine(nodeDir, $"node{node}/meminfo"), $"Node {node} MemTotal") ?? 0;
            cells.Add(new HostNumaCell(node, nodeMemory, cpus.Where(c => c.Node == node).ToArray()));
        }
        if (cells.Count == 0)
        {
            cells.Add(new HostNumaCell(0, memory, cpus));
        }
        var pages = new List<ulong> { (ulong)Environment.SystemPageSize / 1024 };
        string hugeDir = Path.Combine(sysRoot, "kernel/mm/hugepages");
        if (Directory.Exists(hugeDir))
        {
            pages.AddRange(Directory.GetDirectories(hugeDir).Select(d => Path.GetFileName(d))
                .Where(n => n.StartsWith("hugepages-", StringComparison.Ordinal) && n.EndsWith("kB", StringComparison.Ordinal))
                .Select(n => ulong.Parse(n["hugepages-".Length..^2], CultureInfo.InvariantCulture)).Order());
        }
        bool iommu = Directory.Exists(Path.Combine(sysRoot, "kernel/iommu_groups"))
            && Directory.EnumerateFileSystemEntries(Path.Combine(sysRoot, "kernel/iommu_groups")).Any();
        return new HostInfo(ArchName(), cpuinfo.GetValueOrDefault("vendor_id"), cpuinfo.GetValueOrDefault("model name"),
            cells, memory, pages, iommu, ReadDmi(Path.Combine(sysRoot, "class/dmi/id")));
    }

    /// <summary>MemFree of /proc/meminfo in bytes (virNodeGetFreeMemory).</summary>
    public static ulong ReadFreeMemoryBytes(string procRoot = "/proc") =>
        (ReadMemInfo(Path.Combine(procRoot, "meminfo"), "MemFree") ?? 0) * 1024;

    private static string ArchName() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.X86 => "i686",
        Architecture.Arm64 => "aarch64",
        Architecture other => other.ToString().ToLowerInvariant(),
    };

    private static Dictionary<string, string> FirstCpuInfo(string path)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in ReadLines(path))
        {
            if (line.Length == 0 && fields.Count > 0)
            {
                break;
            }
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }
        return fields;
    }

    private static List<HostCpu> ReadCpus(string sysRoot)
    {
        string cpuDir = Path.Combine(sysRoot, "devices/system/cpu");
        var cpus = new List<HostCpu>();
        foreach (int id in NumberedEntries(cpuDir, "cpu"))
        {
            string dir = Path.Combine(cpuDir, $"cpu{id}");
            if (ReadText(Path.Combine(dir, "online")) == "0")
            {
                continue;
            }
            string topology = Path.Combine(dir, "topology");
            int node = NumberedEntries(dir, "node").DefaultIfEmpty(0).First();
            cpus.Add(new HostCpu(id, ReadInt(Path.Combine(topology, "physical_package_id")), Math.Max(0, ReadInt(Path.Combine(topology, "die_id"))),
                ReadInt(Path.Combine(topology, "core_id")), ReadText(Path.Combine(topology, "thread_siblings_list")) ?? id.ToString(CultureInfo.InvariantCulture), node));
        }
        return cpus;
    }

    private static Dictionary<string, string> ReadDmi(string dir)
    {
        var dmi = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(dir))
        {
            foreach (string file in Directory.GetFiles(dir))
            {
                if (ReadText(file) is { Length: > 0 } value)
                {
                    dmi[Path.GetFileName(file)] = value;
                }
            }
        }
        return dmi;
    }

    private static IEnumerable<int> NumberedEntries(string dir, string prefix)
    {
        if (!Directory.Exists(dir))
        {
            return [];
        }
        return Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)
            .Select(n => n is not null && n.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(n.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : -1)
            .Where(v => v >= 0).Order().ToArray();
    }

    private static ulong? ReadMemInfo(string path, string key)
    {
        foreach (string line in ReadLines(path))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                string[] parts = line[(key.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 && ulong.TryParse(parts[0], CultureInfo.InvariantCulture, out ulong kib) ? kib : null;
            }
        }
        return null;
    }

    private static int ReadInt(string path) =>
        int.TryParse(ReadText(path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value : 0;

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // unreadable for this user (DMI serials): leave the field out
        }
    }

    private static IEnumerable<string> ReadLines(string path) => ReadText(path)?.Split('\n') ?? [];
}
