using System.Globalization;
using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>The host's figures through org.libvirt.Connect, against what the host's /proc and sysfs say at the same time.</summary>
public sealed partial class HostApiTests
{
    [Test]
    public async Task NodeGetMemoryStats_AllCells_MeminfosFiguresInKiB()
    {
        Dictionary<string, ulong> stats = await CallAsync("NodeGetMemoryStats", [Arg.Int32(-1), Arg.UInt32(0)], ReadStats);
        Assert.That(stats.Keys, Is.EqualTo(new[] { "total", "free", "buffers", "cached" }));
        Assert.That(stats["total"], Is.EqualTo(MemInfo("MemTotal")));
        Assert.That(stats["free"], Is.LessThanOrEqualTo(stats["total"]).And.GreaterThan(0));
    }

    [Test]
    public async Task NodeGetMemoryStats_CellZero_TotalAndFreeOfTheNode()
    {
        Dictionary<string, ulong> stats = await CallAsync("NodeGetMemoryStats", [Arg.Int32(0), Arg.UInt32(0)], ReadStats);
        bool numa = Directory.Exists("/sys/devices/system/node/node0");
        Assert.That(stats.Keys, Is.EqualTo(numa ? new[] { "total", "free" } : new[] { "total", "free", "buffers", "cached" }));
        Assert.That(stats["total"], Is.GreaterThan(0).And.LessThanOrEqualTo(MemInfo("MemTotal")));
    }

    [TestCase(-2, 0u, "cellNum in virNodeGetMemoryStats only accepts -1 as a negative value")]
    [TestCase(-1, 1u, "unsupported flags (0x1) in function virHostMemGetStats")]
    [TestCase(4096, 0u, "cellNum in virHostMemGetStats must be less than or equal to 0")]
    public void NodeGetMemoryStats_BadArguments_LibvirtsError(int cell, uint flags, string message)
    {
        Assert.That(async () => await CallAsync("NodeGetMemoryStats", [Arg.Int32(cell), Arg.UInt32(flags)], ReadStats),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage)).EqualTo(message));
    }

    [Test]
    public async Task NodeGetCPUStats_AllCpus_ProcStatsTimesInNanoseconds()
    {
        ulong[] before = ProcStatCpu();
        Dictionary<string, ulong> stats = await CallAsync("NodeGetCPUStats", [Arg.Int32(-1), Arg.UInt32(0)], ReadStats);
        ulong[] after = ProcStatCpu();
        Assert.That(stats.Keys, Is.EqualTo(new[] { "kernel", "user", "idle", "iowait" }));
        const ulong Tick = 10_000_000; // USER_HZ 100
        Assert.That(stats["user"], Is.InRange((before[0] + before[1]) * Tick, (after[0] + after[1]) * Tick));
        Assert.That(stats["kernel"], Is.InRange((before[2] + before[5] + before[6]) * Tick, (after[2] + after[5] + after[6]) * Tick));
        Assert.That(stats["idle"], Is.InRange(before[3] * Tick, after[3] * Tick));
    }

    [Test]
    public void NodeGetCPUStats_NoSuchCpu_LibvirtsError()
    {
        Assert.That(async () => await CallAsync("NodeGetCPUStats", [Arg.Int32(65535), Arg.UInt32(0)], ReadStats),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("Invalid cpuNum in virHostCPUGetStatsLinux"));
    }

    [Test]
    public async Task NodeGetCPUMap_Host_OnePerPresentCpuOnlineAsSysfsSays()
    {
        bool[] map = await CallAsync("NodeGetCPUMap", [Arg.UInt32(0)], static (Message m, object? _) => m.GetBodyReader().ReadArrayOfBool());
        int present = CpuList("/sys/devices/system/cpu/present").Max() + 1;
        HashSet<int> online = CpuList("/sys/devices/system/cpu/online");
        Assert.That(map, Is.EqualTo(Enumerable.Range(0, present).Select(online.Contains).ToArray()));
    }

    [Test]
    public async Task GetCPUModelNames_X86_LibvirtsCpuMapModels()
    {
        string[] models = await CallAsync("GetCPUModelNames", [Arg.String("x86_64"), Arg.UInt32(0)],
            static (Message m, object? _) => m.GetBodyReader().ReadArrayOfString());
        Assert.That(models, Has.Length.EqualTo(58));
        Assert.That(models[..3], Is.EqualTo(new[] { "486", "pentium", "pentium2" }));
        Assert.That(models, Does.Contain("qemu64").And.Contain("EPYC-Milan"));
    }

    private static Dictionary<string, ulong> ReadStats(Message message, object? state)
    {
        Reader reader = message.GetBodyReader();
        var stats = new Dictionary<string, ulong>();
        ArrayEnd end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            stats.Add(reader.ReadString(), reader.ReadUInt64());
        }
        return stats;
    }

    private static ulong MemInfo(string key) =>
        ulong.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith(key + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static ulong[] ProcStatCpu() =>
        File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => ulong.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private static HashSet<int> CpuList(string path) =>
        [.. File.ReadAllText(path).Trim().Split(',').SelectMany(part =>
        {
            string[] ends = part.Split('-');
            int first = int.Parse(ends[0], CultureInfo.InvariantCulture);
            return Enumerable.Range(first, int.Parse(ends[^1], CultureInfo.InvariantCulture) - first + 1);
        })];
}
