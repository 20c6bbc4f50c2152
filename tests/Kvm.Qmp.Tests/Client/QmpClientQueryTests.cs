using Kvm.Qmp.Client;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Client;

/// <summary>The client's typed queries read back exactly the records the server wrote.</summary>
[CancelAfter(30_000)]
public sealed class QmpClientQueryTests
{
    [Test]
    public async Task QueryChardevAsync_MachineWithPtyAndMonitor_ReturnsTheServersRecords()
    {
        QmpChardevInfo[] chardevs =
        [
            new(FrontendOpen: true, "unix:/run/kvmd/a.qmp,server=on", "compat_monitor0"),
            new(FrontendOpen: true, "pty:/dev/pts/7", "charserial0"),
        ];
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { Chardevs = chardevs });
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        Assert.That(await client.QueryChardevAsync(), Is.EqualTo(chardevs));
    }

    [Test]
    public async Task QueryStatusAsync_PausedMachine_ReportsPaused()
    {
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events, initialState: QmpRunState.Paused));
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        Assert.That(await client.QueryStatusAsync(), Is.EqualTo(new QmpStatusInfo(QmpRunState.Paused, false, false)));
    }

    [Test]
    public async Task QueryCpusFastAsync_TwoVcpus_ReturnsBothWithTheirThreads()
    {
        QmpCpuInfoFast[] cpus =
        [
            new(4001, new QmpCpuInstanceProperties(0, 0, 0), "/machine/unattached/device[0]", 0, "x86_64"),
            new(4002, new QmpCpuInstanceProperties(0, 0, 1), "/machine/unattached/device[1]", 1, "x86_64"),
        ];
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { Cpus = cpus });
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        Assert.That(await client.QueryCpusFastAsync(), Is.EqualTo(cpus));
    }

    [Test]
    public async Task QueryBlockAsync_VirtioDiskAndEmptyCdrom_ReturnsTheServersRecords()
    {
        QmpBlockInfo[] blocks = [Commands.BlockCommandTests.Transcript06Disk, Commands.BlockCommandTests.Transcript06Cdrom];
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { Blocks = blocks });
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        Assert.That(await client.QueryBlockAsync(), Is.EqualTo(blocks));
    }

    [Test]
    public async Task QueryBlockstatsAsync_OneDisk_CountersAndQdevReadBack()
    {
        var stats = new QmpBlockStats
        {
            Device = string.Empty,
            Stats = new QmpBlockDeviceStats { RdOperations = 3, RdBytes = 1536, WrOperations = 2, WrBytes = 1024, WrHighestOffset = 8192, FlushOperations = 1 },
            NodeName = "libvirt-1-format",
            Qdev = "/machine/peripheral/virtio-disk0/virtio-backend",
        };
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { BlockStats = [stats] });
        await using QmpClient client = await QmpClient.ConnectAsync(fixture.EndPoint);
        QmpBlockStats read = (await client.QueryBlockstatsAsync()).Single();
        Assert.That((read.Qdev, read.NodeName, read.Stats.RdOperations, read.Stats.RdBytes, read.Stats.WrOperations, read.Stats.WrBytes, read.Stats.WrHighestOffset, read.Stats.FlushOperations),
            Is.EqualTo((stats.Qdev, stats.NodeName, 3L, 1536L, 2L, 1024L, 8192L, 1L)));
    }
}
