using System.Text.Json.Nodes;
using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// A running domain's memory figures as kvmd collects them from a real kvm-vmm (here its monitor without a VM, which
/// has no balloon, as QEMU's -machine none): the VMM's RSS in KiB, the balloon group of GetStats with libvirt's names,
/// and a live SetMemory refused with the VMM's own error. The guest's figures are parsed from QEMU's guest-stats reply.
/// </summary>
public sealed class DomainMemoryTests
{
    private const string Balloon = "<serial type='null'/><memballoon model='virtio'><stats period='5'/></memballoon>";

    private ManagerFixture _f = null!;

    private IDomainManager Manager => _f.Manager;

    [SetUp]
    public void SetUp() => _f = new ManagerFixture();

    [TearDown]
    public async Task TearDown() => await _f.DisposeAsync();

    [Test]
    public async Task GetMemoryStats_RunningDomain_HasTheVmmsRssInKiB()
    {
        Guid uuid = await StartAsync("mem");
        IReadOnlyList<DomainMemoryStat> stats = await Manager.GetMemoryStatsAsync(uuid, CancellationToken.None);
        DomainMemoryStat rss = stats.Single(s => s.Tag == DomainMemoryStat.Rss);
        Assert.That(rss.Value, Is.GreaterThan(1024UL).And.LessThan(4UL << 20), "a .NET process's resident size, in KiB");
        Assert.That(stats.Any(s => s.Tag == DomainMemoryStat.ActualBalloon), Is.False, "a monitor without a balloon reports no actual size");
    }

    [Test]
    public async Task GetStats_BalloonGroup_CurrentMaximumAndRss()
    {
        Guid uuid = await StartAsync("memstats");
        DomainInfo domain = Manager.LookupByUuid(uuid);
        var memory = await DomainStats.GetMemoryAsync(Manager, domain, DomainStatsGroups.Balloon, CancellationToken.None);
        var records = DomainStats.Collect(domain, DomainStatsGroups.Balloon, null, memory: memory).ToDictionary(r => r.Key, r => r.Value);
        Assert.That(records.Keys, Is.EquivalentTo(new[] { "balloon.current", "balloon.maximum", "balloon.rss" }));
        Assert.That(records["balloon.current"].GetUInt64(), Is.EqualTo(128UL << 10));
        Assert.That(records["balloon.maximum"].GetUInt64(), Is.EqualTo(128UL << 10));
        Assert.That(records["balloon.rss"].GetUInt64(), Is.GreaterThan(1024UL));
    }

    [Test]
    public async Task GetMemoryStats_Inactive_IsNotRunning()
    {
        Guid uuid = Manager.Define(TestDomains.Xml("off").Replace("<serial type='null'/>", Balloon, StringComparison.Ordinal)).Uuid;
        var e = await Assert.ThrowsAsync<DomainOperationException>(async () => await Manager.GetMemoryStatsAsync(uuid, CancellationToken.None));
        Assert.That(e!.Message, Is.EqualTo("Requested operation is not valid: domain is not running"));
    }

    [Test]
    public async Task SetMemory_AboveMaximum_InvalidArg()
    {
        Guid uuid = await StartAsync("toomuch");
        var e = await Assert.ThrowsAsync<DomainOperationException>(async () => await Manager.SetMemoryAsync(uuid, 256UL << 10, CancellationToken.None));
        Assert.That(e!.Message, Is.EqualTo("invalid argument: cannot set memory higher than max memory"));
    }

    [Test]
    public async Task SetMemory_VmmWithoutBalloon_FailsWithTheVmmsError()
    {
        Guid uuid = await StartAsync("noballoon");
        var e = await Assert.ThrowsAsync<DomainOperationException>(async () => await Manager.SetMemoryAsync(uuid, 64UL << 10, CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("No balloon device has been activated"));
    }

    [Test]
    public async Task SetMemory_DomainWithoutMemballoon_RefusedAsLibvirt()
    {
        Guid uuid = Manager.Define(TestDomains.Xml("nomemballoon").Replace("<serial type='null'/>", "<serial type='null'/><memballoon model='none'/>", StringComparison.Ordinal)).Uuid;
        await Manager.StartAsync(uuid, false, CancellationToken.None);
        var e = await Assert.ThrowsAsync<DomainOperationException>(async () => await Manager.SetMemoryAsync(uuid, 64UL << 10, CancellationToken.None));
        Assert.That(e!.Message, Is.EqualTo("Requested operation is not valid: Unable to change memory of active domain without the balloon device and guest OS balloon driver"));
    }

    [Test]
    public void AddGuestStats_QemuReply_LibvirtsTagsInKiBWithoutUnreportedOnes()
    {
        // QEMU 7.2's guest-stats after a Linux guest reported (member order as QEMU writes it); swap_out never came.
        JsonNode reply = JsonNode.Parse("""
            {"stats": {"stat-htlb-pgalloc": 0, "stat-swap-out": 18446744073709551615, "stat-available-memory": 209715200,
             "stat-htlb-pgfail": 0, "stat-free-memory": 104857600, "stat-minor-faults": 12345, "stat-major-faults": 12,
             "stat-total-memory": 262144000, "stat-swap-in": 0, "stat-disk-caches": 10485760}, "last-update": 1800000000}
            """)!;
        var stats = new List<DomainMemoryStat>();
        DomainMemory.AddGuestStats(stats, reply);
        Assert.That(stats, Is.EqualTo(new DomainMemoryStat[]
        {
            new(DomainMemoryStat.SwapIn, 0), new(DomainMemoryStat.MajorFault, 12), new(DomainMemoryStat.MinorFault, 12345),
            new(DomainMemoryStat.Unused, 102400), new(DomainMemoryStat.Available, 256000), new(DomainMemoryStat.Usable, 204800),
            new(DomainMemoryStat.LastUpdate, 1800000000), new(DomainMemoryStat.DiskCaches, 10240),
            new(DomainMemoryStat.HugetlbPgalloc, 0), new(DomainMemoryStat.HugetlbPgfail, 0),
        }));
    }

    [Test]
    public void Collect_GuestFigures_UnderLibvirtsBalloonNames()
    {
        var domain = Manager.Define(TestDomains.Xml("names"));
        DomainMemoryStat[] memory =
        [
            new(DomainMemoryStat.ActualBalloon, 65536), new(DomainMemoryStat.SwapIn, 1), new(DomainMemoryStat.SwapOut, 2),
            new(DomainMemoryStat.MajorFault, 3), new(DomainMemoryStat.MinorFault, 4), new(DomainMemoryStat.Unused, 5),
            new(DomainMemoryStat.Available, 6), new(DomainMemoryStat.Usable, 7), new(DomainMemoryStat.LastUpdate, 8),
            new(DomainMemoryStat.DiskCaches, 9), new(DomainMemoryStat.HugetlbPgalloc, 10), new(DomainMemoryStat.HugetlbPgfail, 11),
            new(DomainMemoryStat.Rss, 12),
        ];
        var records = DomainStats.Collect(domain, DomainStatsGroups.Balloon, null, memory: memory);
        Assert.That(records.Select(r => (r.Key, r.Value.GetUInt64())), Is.EqualTo(new[]
        {
            ("balloon.current", 65536UL), ("balloon.maximum", 131072UL), ("balloon.swap_in", 1UL), ("balloon.swap_out", 2UL),
            ("balloon.major_fault", 3UL), ("balloon.minor_fault", 4UL), ("balloon.unused", 5UL), ("balloon.available", 6UL),
            ("balloon.usable", 7UL), ("balloon.last-update", 8UL), ("balloon.disk_caches", 9UL), ("balloon.hugetlb_pgalloc", 10UL),
            ("balloon.hugetlb_pgfail", 11UL), ("balloon.rss", 12UL),
        }));
    }

    private async Task<Guid> StartAsync(string name)
    {
        Guid uuid = Manager.Define(TestDomains.Xml(name).Replace("<serial type='null'/>", Balloon, StringComparison.Ordinal)).Uuid;
        await Manager.StartAsync(uuid, false, CancellationToken.None);
        return uuid;
    }
}
