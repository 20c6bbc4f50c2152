using Kvm.Driver.Domains;
using Kvm.Driver.Host;

namespace Kvm.Driver.Tests.Host;

/// <summary>virNodeGetMemoryStats's figures from fabricated /proc and sysfs trees (a NUMA host and one without NUMA).</summary>
public sealed class NodeMemoryStatsTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("kvmd-host-").FullName;
        Write("proc/meminfo", "MemTotal:       16303456 kB\nMemFree:         1234567 kB\nMemAvailable:    9000000 kB\nBuffers:          111111 kB\nCached:          2222222 kB\nSwapCached:            0 kB\n");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Read_AllCells_MeminfosFourFiguresInItsOrder()
    {
        var stats = NodeMemoryStats.Open(-1, 0, Proc, Sys).Read();
        Assert.That(stats, Is.EqualTo(new NodeStat[] { new("total", 16303456), new("free", 1234567), new("buffers", 111111), new("cached", 2222222) }));
    }

    [Test]
    public void Open_CellZeroWithoutNuma_TheWholeHost()
    {
        var stats = NodeMemoryStats.Open(0, 0, Proc, Sys);
        Assert.That(stats.Count, Is.EqualTo(4));
        Assert.That(stats.Read()[0], Is.EqualTo(new NodeStat("total", 16303456)));
    }

    [Test]
    public void Read_NumaCell_TheNodesTotalAndFree()
    {
        Write("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:        8000000 kB\nNode 0 MemFree:          700000 kB\nNode 0 MemUsed:         7300000 kB\n");
        Write("sys/devices/system/node/node1/meminfo", "Node 1 MemTotal:        8303456 kB\nNode 1 MemFree:          534567 kB\n");
        var stats = NodeMemoryStats.Open(1, 0, Proc, Sys);
        Assert.That(stats.Count, Is.EqualTo(2));
        Assert.That(stats.Read(), Is.EqualTo(new NodeStat[] { new("total", 8303456), new("free", 534567) }));
        Assert.That(() => NodeMemoryStats.Open(2, 0, Proc, Sys), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("cellNum in virHostMemGetStats must be less than or equal to 1"));
    }

    [Test]
    public void CheckCount_WrongCount_LibvirtsError()
    {
        Assert.That(() => NodeMemoryStats.Open(-1, 0, Proc, Sys).CheckCount(2), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("nparams in virHostMemGetStatsLinux must be 4"));
    }

    private string Proc => Path.Combine(_root, "proc");

    private string Sys => Path.Combine(_root, "sys");

    private void Write(string relative, string text)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
