using System.Text.Json.Nodes;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using Kvm.Qmp.Tests.Support;

namespace Kvm.Qmp.Tests.Commands;

/// <summary>
/// query-block, query-blockstats, block_resize and BLOCK_IO_ERROR over a real server: the bytes QEMU 7.2 sends for the
/// same disk (transcripts 06 and 11), QEMU's errors, and -machine none's empty answers.
/// </summary>
public sealed class BlockCommandTests
{
    /// <summary>The raw disk of transcript 11 (libvirt 9.0, -blockdev file + raw format nodes, an IDE disk).</summary>
    private static readonly QmpBlockInfo s_transcript11Disk = new()
    {
        IoStatus = "ok",
        Device = string.Empty,
        Inserted = new QmpBlockDeviceInfo
        {
            Image = new QmpImageInfo { VirtualSize = 512, Filename = "/tmp/vqr/work/acpi-off.img", Format = "raw", ActualSize = 4096, DirtyFlag = false },
            NodeName = "libvirt-1-format",
            Driver = "raw",
            Cache = new QmpBlockDeviceCacheInfo(NoFlush: false, Direct: false, Writeback: true),
            File = "/tmp/vqr/work/acpi-off.img",
        },
        Qdev = "ide0-0-0",
    };

    private const string NullCo = "json:{\"read-zeroes\": true, \"driver\": \"null-co\", \"size\": 67108864}";

    /// <summary>The virtio disk of transcript 06 (-blockdev null-co node, virtio-blk-pci id virtio-disk0).</summary>
    internal static QmpBlockInfo Transcript06Disk { get; } = new()
    {
        IoStatus = "ok",
        Device = string.Empty,
        Inserted = new QmpBlockDeviceInfo
        {
            Image = new QmpImageInfo { VirtualSize = 67108864, Filename = NullCo, Format = "null-co", ActualSize = 0 },
            NodeName = "libvirt-1-storage",
            Driver = "null-co",
            Cache = new QmpBlockDeviceCacheInfo(false, false, true),
            File = NullCo,
        },
        Qdev = "/machine/peripheral/virtio-disk0/virtio-backend",
    };

    /// <summary>The empty CD-ROM drive of transcript 06.</summary>
    internal static QmpBlockInfo Transcript06Cdrom { get; } = new()
    {
        IoStatus = "ok", Device = string.Empty, Removable = true, Qdev = "ide0-1-0", TrayOpen = false,
    };

    [Test]
    [CancelAfter(10_000)]
    public async Task QueryBlock_Transcript11Disk_RepliesByteForByteAsQemu()
    {
        IReadOnlyList<TranscriptRecord> records = TranscriptRecord.Load(Corpus.Transcript("11-libvirt-9.0-domain-start-and-guest-poweroff.jsonl"));
        int request = records.ToList().FindIndex(r => r.Direction == "c2s" && r.Raw!.Contains("\"query-block\"", StringComparison.Ordinal));
        string qemuReply = records.Skip(request + 1).First(r => r.Direction == "s2c").Raw!.TrimEnd('\r', '\n');
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { Blocks = [s_transcript11Disk] });
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync(records[request].Raw!);

        Assert.That(await connection.ReadAsync(), Is.EqualTo(qemuReply));
    }

    [Test]
    public async Task QueryBlock_VirtioBlockdevDisk_SameMembersAndValuesAsTranscript06()
    {
        JsonNode qemu = ReturnOf("06-lifecycle-pc-tcg.jsonl", "query-block")[0]!;
        QmpBlockInfo ours = Transcript06Disk;

        JsonNode? actual = JsonNode.Parse(await InvokeAsync(new QueryBlockCommand(), new TestMachine(new QmpEventHub()) { Blocks = [ours] }));

        ShapeComparer.AssertSameShape(qemu, actual![0]);
    }

    [Test]
    public async Task QueryBlock_QcowWithBacking_WritesChainInQemusOrder()
    {
        var info = new QmpBlockInfo
        {
            IoStatus = "ok",
            Device = string.Empty,
            Inserted = new QmpBlockDeviceInfo
            {
                Image = new QmpImageInfo
                {
                    BackingImage = new QmpImageInfo { VirtualSize = 1048576, Filename = "/i/base.raw", Format = "raw", ActualSize = 0, DirtyFlag = false },
                    BackingFilenameFormat = "raw",
                    VirtualSize = 1048576,
                    Filename = "/i/top.qcow2",
                    ClusterSize = 65536,
                    Format = "qcow2",
                    ActualSize = 200704,
                    FullBackingFilename = "/i/base.raw",
                    BackingFilename = "/i/base.raw",
                    DirtyFlag = false,
                },
                NodeName = "libvirt-1-format",
                BackingFileDepth = 1,
                Driver = "qcow2",
                BackingFile = "/i/base.raw",
                Cache = new QmpBlockDeviceCacheInfo(false, true, true),
                File = "/i/top.qcow2",
            },
            Qdev = "/machine/peripheral/virtio-disk0/virtio-backend",
        };

        string json = await InvokeAsync(new QueryBlockCommand(), new TestMachine(new QmpEventHub()) { Blocks = [info] });

        Assert.That(json, Is.EqualTo(Flat("""
            [{"io-status":"ok","device":"","locked":false,"removable":false,"inserted":{"iops_rd":0,"detect_zeroes":"off",
            "image":{"backing-image":{"virtual-size":1048576,"filename":"/i/base.raw","format":"raw","actual-size":0,"dirty-flag":false},
            "backing-filename-format":"raw","virtual-size":1048576,"filename":"/i/top.qcow2","cluster-size":65536,"format":"qcow2",
            "actual-size":200704,"full-backing-filename":"/i/base.raw","backing-filename":"/i/base.raw","dirty-flag":false},
            "iops_wr":0,"ro":false,"node-name":"libvirt-1-format","backing_file_depth":1,"drv":"qcow2","iops":0,"bps_wr":0,
            "write_threshold":0,"backing_file":"/i/base.raw","encrypted":false,"bps":0,"bps_rd":0,
            "cache":{"no-flush":false,"direct":true,"writeback":true},"file":"/i/top.qcow2"},
            "qdev":"/machine/peripheral/virtio-disk0/virtio-backend","type":"unknown"}]
            """)));
    }

    [Test]
    public async Task QueryBlockstats_DiskWithFileNode_WritesQemusNesting()
    {
        var stats = new QmpBlockStats
        {
            Device = string.Empty,
            Parent = new QmpBlockStats
            {
                Stats = new QmpBlockDeviceStats { WrHighestOffset = 8192 },
                NodeName = "libvirt-1-storage",
                DriverSpecific = new QmpBlockStatsSpecificFile(),
            },
            Stats = new QmpBlockDeviceStats
            {
                WrHighestOffset = 8192, WrTotalTimeNs = 5, WrBytes = 4096, AccountInvalid = true, RdTotalTimeNs = 7,
                WrOperations = 1, RdBytes = 512, AccountFailed = true, IdleTimeNs = 99, RdOperations = 1,
            },
            NodeName = "libvirt-1-format",
            Qdev = "/machine/peripheral/virtio-disk0/virtio-backend",
        };

        string json = await InvokeAsync(new QueryBlockstatsCommand(), new TestMachine(new QmpEventHub()) { BlockStats = [stats] });

        Assert.That(json, Is.EqualTo(Flat("""
            [{"device":"","parent":{"stats":{"unmap_operations":0,"unmap_merged":0,"flush_total_time_ns":0,"wr_highest_offset":8192,
            "wr_total_time_ns":0,"failed_wr_operations":0,"failed_rd_operations":0,"wr_merged":0,"wr_bytes":0,"timed_stats":[],
            "failed_unmap_operations":0,"failed_flush_operations":0,"account_invalid":false,"rd_total_time_ns":0,
            "invalid_unmap_operations":0,"flush_operations":0,"wr_operations":0,"unmap_bytes":0,"rd_merged":0,"rd_bytes":0,
            "unmap_total_time_ns":0,"invalid_flush_operations":0,"account_failed":false,"rd_operations":0,
            "invalid_wr_operations":0,"invalid_rd_operations":0},"node-name":"libvirt-1-storage",
            "driver-specific":{"discard-bytes-ok":0,"discard-nb-ok":0,"driver":"file","discard-nb-failed":0}},
            "stats":{"unmap_operations":0,"unmap_merged":0,"flush_total_time_ns":0,"wr_highest_offset":8192,
            "wr_total_time_ns":5,"failed_wr_operations":0,"failed_rd_operations":0,"wr_merged":0,"wr_bytes":4096,"timed_stats":[],
            "failed_unmap_operations":0,"failed_flush_operations":0,"account_invalid":true,"rd_total_time_ns":7,
            "invalid_unmap_operations":0,"flush_operations":0,"wr_operations":1,"unmap_bytes":0,"rd_merged":0,"rd_bytes":512,
            "unmap_total_time_ns":0,"invalid_flush_operations":0,"account_failed":true,"idle_time_ns":99,"rd_operations":1,
            "invalid_wr_operations":0,"invalid_rd_operations":0},"node-name":"libvirt-1-format",
            "qdev":"/machine/peripheral/virtio-disk0/virtio-backend"}]
            """)));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task NoneMachine_BlockQueries_AnswerEmptyAndResizeFindsNothing()
    {
        var machine = new QmpNoneMachine(new QmpEventHub());

        Assert.That(await InvokeAsync(new QueryBlockCommand(), machine), Is.EqualTo("[]"));
        Assert.That(await InvokeAsync(new QueryBlockstatsCommand(), machine), Is.EqualTo("[]"));
        var error = await Assert.ThrowsAsync<QmpException>(async () =>
            await InvokeAsync(new BlockResizeCommand(), machine, new JsonObject { ["device"] = "vda", ["size"] = 1024 }));
        Assert.That(error!.Message, Is.EqualTo("Cannot find device='vda' nor node-name=''"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task BlockResize_OverTheWire_RepliesAsQemu()
    {
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(events) { ResizableNode = "libvirt-1-format" });
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        await connection.SendAsync("""{"execute":"block_resize","arguments":{"node-name":"libvirt-1-format","size":2097152},"id":"libvirt-20"}""" + "\r\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"return": {}, "id": "libvirt-20"}"""));
        await connection.SendAsync("""{"execute":"block_resize","arguments":{"node-name":"nope","size":1},"id":1}""" + "\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"id": 1, "error": {"class": "GenericError", "desc": "Cannot find device='' nor node-name='nope'"}}"""));
        await connection.SendAsync("""{"execute":"block_resize","arguments":{"node-name":"libvirt-1-format"},"id":2}""" + "\n");
        Assert.That(await connection.ReadAsync(), Is.EqualTo("""{"id": 2, "error": {"class": "GenericError", "desc": "Parameter 'size' is missing"}}"""));
        Assert.That(fixture.Machine.Resizes, Is.EqualTo(new long[] { 2097152 }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task BlockIoError_Emitted_ReachesTheClientInQemusShape()
    {
        QmpEventHub? hub = null;
        await using ServerFixture fixture = ServerFixture.Start(machineFactory: events => new TestMachine(hub = events));
        using RawQmpConnection connection = await fixture.ConnectNegotiatedAsync();

        hub!.Emit("BLOCK_IO_ERROR", new QmpBlockIoErrorEventData(string.Empty, false, "libvirt-1-format", "Input/output error", "write", "report"),
            QmpJsonContext.Default.QmpBlockIoErrorEventData);

        string? message = await connection.ReadAsync();
        Assert.That(message, Does.StartWith("{\"timestamp\": {\"seconds\": "));
        Assert.That(message, Does.EndWith(Flat("""
            "event": "BLOCK_IO_ERROR", "data": {"device": "", "nospace": false, "node-name": "libvirt-1-format", "reason": "Input/output error", "operation": "write", "action": "report"}}
            """)));
    }

    [Test]
    public void Registry_Default_ListsTheBlockCommandsAndEvent()
    {
        var registry = QmpCommandRegistry.CreateDefault();
        Assert.That(new[] { "query-block", "query-blockstats", "block_resize", "query-pci" }.All(n => registry.TryGet(n, out _)), Is.True);
        Assert.That(registry.Events.Select(e => e.Name), Does.Contain("BLOCK_IO_ERROR"));
    }

    /// <summary>An expected reply written over several lines, joined (the line breaks are not part of it).</summary>
    internal static string Flat(string lines) => string.Concat(lines.Split('\n'));

    internal static JsonArray ReturnOf(string transcript, string command)
    {
        IReadOnlyList<TranscriptRecord> records = TranscriptRecord.Load(Corpus.Transcript(transcript));
        int request = records.ToList().FindIndex(r => r.Direction == "c2s" && r.Raw!.Contains($"\"{command}\"", StringComparison.Ordinal));
        return JsonNode.Parse(records.Skip(request + 1).First(r => r.Direction == "s2c").Raw!)!["return"]!.AsArray();
    }

    internal static async Task<string> InvokeAsync(QmpCommand command, IQmpMachine machine, JsonObject? arguments = null)
    {
        var context = new QmpCommandContext(machine, QmpCommandRegistry.CreateDefault(), new QmpServerOptions().Version);
        byte[] result = await command.InvokeAsync(context, arguments, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(result);
    }
}
