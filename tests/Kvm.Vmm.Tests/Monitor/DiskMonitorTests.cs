using System.Text.Json.Nodes;
using Kvm.Qmp;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;
using Kvm.Vmm.Block;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Monitor;
using Kvm.Vmm.Pci;
using Kvm.Vmm.Tests.Virtio;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Monitor;

/// <summary>
/// The monitor's disk queries over a real virtio-blk device and a real image after real requests, compared member by
/// member with what QEMU 7.2 answers for the same disk under libvirt's -blockdev layout.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DiskMonitorTests
{
    /// <summary>
    /// Recorded from qemu-system-x86_64 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3), -machine pc, a 1 MiB raw file as
    /// libvirt 9.0 gives it: -blockdev file node libvirt-1-storage, raw node libvirt-1-format, -device virtio-blk-pci
    /// id=virtio-disk0, before any I/O.
    /// </summary>
    private const string QemuQueryBlock = """
        [{"io-status": "ok", "device": "", "locked": false, "removable": false, "inserted": {"iops_rd": 0, "detect_zeroes": "off", "image": {"virtual-size": 1048576, "filename": "/tmp/qmpq/d.raw", "format": "raw", "actual-size": 0, "dirty-flag": false}, "iops_wr": 0, "ro": false, "node-name": "libvirt-1-format", "backing_file_depth": 0, "drv": "raw", "iops": 0, "bps_wr": 0, "write_threshold": 0, "encrypted": false, "bps": 0, "bps_rd": 0, "cache": {"no-flush": false, "direct": false, "writeback": true}, "file": "/tmp/qmpq/d.raw"}, "qdev": "/machine/peripheral/virtio-disk0/virtio-backend", "type": "unknown"}]
        """;

    /// <summary>The same QEMU's query-blockstats (no I/O yet, so no idle_time_ns).</summary>
    private const string QemuQueryBlockstats = """
        [{"device": "", "parent": {"stats": {"unmap_operations": 0, "unmap_merged": 0, "flush_total_time_ns": 0, "wr_highest_offset": 0, "wr_total_time_ns": 0, "failed_wr_operations": 0, "failed_rd_operations": 0, "wr_merged": 0, "wr_bytes": 0, "timed_stats": [], "failed_unmap_operations": 0, "failed_flush_operations": 0, "account_invalid": false, "rd_total_time_ns": 0, "invalid_unmap_operations": 0, "flush_operations": 0, "wr_operations": 0, "unmap_bytes": 0, "rd_merged": 0, "rd_bytes": 0, "unmap_total_time_ns": 0, "invalid_flush_operations": 0, "account_failed": false, "rd_operations": 0, "invalid_wr_operations": 0, "invalid_rd_operations": 0}, "node-name": "libvirt-1-storage", "driver-specific": {"discard-bytes-ok": 0, "discard-nb-ok": 0, "driver": "file", "discard-nb-failed": 0}}, "stats": {"unmap_operations": 0, "unmap_merged": 0, "flush_total_time_ns": 0, "wr_highest_offset": 0, "wr_total_time_ns": 0, "failed_wr_operations": 0, "failed_rd_operations": 0, "wr_merged": 0, "wr_bytes": 0, "timed_stats": [], "failed_unmap_operations": 0, "failed_flush_operations": 0, "account_invalid": true, "rd_total_time_ns": 0, "invalid_unmap_operations": 0, "flush_operations": 0, "wr_operations": 0, "unmap_bytes": 0, "rd_merged": 0, "rd_bytes": 0, "unmap_total_time_ns": 0, "invalid_flush_operations": 0, "account_failed": true, "rd_operations": 0, "invalid_wr_operations": 0, "invalid_rd_operations": 0}, "node-name": "libvirt-1-format", "qdev": "/machine/peripheral/virtio-disk0/virtio-backend"}]
        """;

    /// <summary>
    /// The same QEMU with a qcow2 image over a raw backing file (qemu-img create -b base.raw -F raw), libvirt's nodes
    /// libvirt-1-* for the top and libvirt-2-* for the backing image. QEMU's <c>format-specific</c> member (the qcow2
    /// header's compat, refcount bits, ...) is left out: kvm-vmm does not report it.
    /// </summary>
    private const string QemuQcow2QueryBlock = """
        [{"io-status": "ok", "device": "", "locked": false, "removable": false, "inserted": {"iops_rd": 0, "detect_zeroes": "off", "image": {"backing-image": {"virtual-size": 1048576, "filename": "/tmp/qmpq/base.raw", "format": "raw", "actual-size": 0, "dirty-flag": false}, "backing-filename-format": "raw", "virtual-size": 1048576, "filename": "/tmp/qmpq/top.qcow2", "cluster-size": 65536, "format": "qcow2", "actual-size": 200704, "full-backing-filename": "/tmp/qmpq/base.raw", "backing-filename": "/tmp/qmpq/base.raw", "dirty-flag": false}, "iops_wr": 0, "ro": false, "node-name": "libvirt-1-format", "backing_file_depth": 1, "drv": "qcow2", "iops": 0, "bps_wr": 0, "write_threshold": 0, "backing_file": "/tmp/qmpq/base.raw", "encrypted": false, "bps": 0, "bps_rd": 0, "cache": {"no-flush": false, "direct": false, "writeback": true}, "file": "/tmp/qmpq/top.qcow2"}, "qdev": "/machine/peripheral/virtio-disk0/virtio-backend", "type": "unknown"}]
        """;

    private const string QemuQcow2QueryBlockstats = """
        [{"device": "", "parent": {"stats": {"unmap_operations": 0, "unmap_merged": 0, "flush_total_time_ns": 0, "wr_highest_offset": 0, "wr_total_time_ns": 0, "failed_wr_operations": 0, "failed_rd_operations": 0, "wr_merged": 0, "wr_bytes": 0, "timed_stats": [], "failed_unmap_operations": 0, "failed_flush_operations": 0, "account_invalid": false, "rd_total_time_ns": 0, "invalid_unmap_operations": 0, "flush_operations": 0, "wr_operations": 0, "unmap_bytes": 0, "rd_merged": 0, "rd_bytes": 0, "unmap_total_time_ns": 0, "invalid_flush_operations": 0, "account_failed": false, "rd_operations": 0, "invalid_wr_operations": 0, "invalid_rd_operations": 0}, "node-name": "libvirt-1-storage", "driver-specific": {"discard-bytes-ok": 0, "discard-nb-ok": 0, "driver": "file", "discard-nb-failed": 0}}, "stats": {"unmap_operations": 0, "unmap_merged": 0, "flush_total_time_ns": 0, "wr_highest_offset": 0, "wr_total_time_ns": 0, "failed_wr_operations": 0, "failed_rd_operations": 0, "wr_merged": 0, "wr_bytes": 0, "timed_stats": [], "failed_unmap_operations": 0, "failed_flush_operations": 0, "account_invalid": true, "rd_total_time_ns": 0, "invalid_unmap_operations": 0, "flush_operations": 0, "wr_operations": 0, "unmap_bytes": 0, "rd_merged": 0, "rd_bytes": 0, "unmap_total_time_ns": 0, "invalid_flush_operations": 0, "account_failed": true, "rd_operations": 0, "invalid_wr_operations": 0, "invalid_rd_operations": 0}, "backing": {"parent": {"stats": {"unmap_operations": 0, "unmap_merged": 0, "flush_total_time_ns": 0, "wr_highest_offset": 0, "wr_total_time_ns": 0, "failed_wr_operations": 0, "failed_rd_operations": 0, "wr_merged": 0, "wr_bytes": 0, "timed_stats": [], "failed_unmap_operations": 0, "failed_flush_operations": 0, "account_invalid": false, "rd_total_time_ns": 0, "invalid_unmap_operations": 0, "flush_operations": 0, "wr_operations": 0, "unmap_bytes": 0, "rd_merged": 0, "rd_bytes": 0, "unmap_total_time_ns": 0, "invalid_flush_operations": 0, "account_failed": false, "rd_operations": 0, "invalid_wr_operations": 0, "invalid_rd_operations": 0}, "node-name": "libvirt-2-storage", "driver-specific": {"discard-bytes-ok": 0, "discard-nb-ok": 0, "driver": "file", "discard-nb-failed": 0}}, "stats": {"unmap_operations": 0, "unmap_merged": 0, "flush_total_time_ns": 0, "wr_highest_offset": 0, "wr_total_time_ns": 0, "failed_wr_operations": 0, "failed_rd_operations": 0, "wr_merged": 0, "wr_bytes": 0, "timed_stats": [], "failed_unmap_operations": 0, "failed_flush_operations": 0, "account_invalid": false, "rd_total_time_ns": 0, "invalid_unmap_operations": 0, "flush_operations": 0, "wr_operations": 0, "unmap_bytes": 0, "rd_merged": 0, "rd_bytes": 0, "unmap_total_time_ns": 0, "invalid_flush_operations": 0, "account_failed": false, "rd_operations": 0, "invalid_wr_operations": 0, "invalid_rd_operations": 0}, "node-name": "libvirt-2-format"}, "node-name": "libvirt-1-format", "qdev": "/machine/peripheral/virtio-disk0/virtio-backend"}]
        """;

    private string _image = null!;
    private IBlockBackend _backend = null!;
    private VirtioBlockGuest _guest = null!;
    private DiskMonitor _monitor = null!;

    [SetUp]
    public void SetUp()
    {
        _image = Path.Combine(Path.GetTempPath(), $"dmon-{Guid.NewGuid():N}.raw");
        File.WriteAllBytes(_image, new byte[1 << 20]);
        _backend = BlockBackends.Open(new BlockOpenOptions { Path = _image, Format = ImageFormat.Raw, DiscardUnmap = true });
        var config = new VirtioBlockConfig { Name = "vda" };
        _guest = new VirtioBlockGuest(_backend, config);
        _monitor = new DiskMonitor([(new PciAddress(0, 4, 0), _guest.Device)], [new DiskConfig(_backend, config, 4)]);
    }

    [TearDown]
    public void TearDown()
    {
        _guest.Dispose();
        _backend.Dispose();
        File.Delete(_image);
    }

    [Test]
    public void QueryBlock_RawDisk_IsQemusReplyForTheSameDisk()
    {
        string ours = Serialize(_monitor.QueryBlock(), QmpJsonContext.Default.IReadOnlyListQmpBlockInfo);

        string expected = QemuQueryBlock.Replace("/tmp/qmpq/d.raw", _image, StringComparison.Ordinal)
            .Replace("\"actual-size\": 0", $"\"actual-size\": {new FileInfo(_image).Length}", StringComparison.Ordinal);
        Assert.That(JsonNode.Parse(ours)!.ToJsonString(), Is.EqualTo(JsonNode.Parse(expected)!.ToJsonString()));
    }

    [Test]
    public void QueryBlockAndStats_Qcow2OverRaw_AreQemusRepliesForTheSameChain()
    {
        if (DiskGuest.Find("qemu-img") is null)
        {
            Assert.Ignore("qemu-img is missing: apt-get install qemu-utils");
        }

        string directory = Directory.CreateTempSubdirectory("dmon-").FullName;
        try
        {
            string baseImage = Path.Combine(directory, "base.raw");
            string top = Path.Combine(directory, "top.qcow2");
            File.WriteAllBytes(baseImage, new byte[1 << 20]);
            DiskGuest.Run("qemu-img", "create", "-q", "-f", "qcow2", "-b", baseImage, "-F", "raw", top);
            using var backend = BlockBackends.Open(new BlockOpenOptions { Path = top, Format = ImageFormat.Qcow2 });
            using var guest = new VirtioBlockGuest(backend, new VirtioBlockConfig { Name = "vda" });
            var monitor = new DiskMonitor([(new PciAddress(0, 4, 0), guest.Device)], []);

            string block = Serialize(monitor.QueryBlock(), QmpJsonContext.Default.IReadOnlyListQmpBlockInfo);
            string stats = Serialize(monitor.QueryBlockstats(false), QmpJsonContext.Default.IReadOnlyListQmpBlockStats);

            string Expected(string qemu) => qemu.Replace("/tmp/qmpq/", directory + "/", StringComparison.Ordinal)
                .Replace("\"actual-size\": 200704", $"\"actual-size\": {Allocated(top)}", StringComparison.Ordinal)
                .Replace("\"actual-size\": 0", $"\"actual-size\": {Allocated(baseImage)}", StringComparison.Ordinal);
            Assert.That(JsonNode.Parse(block)!.ToJsonString(), Is.EqualTo(JsonNode.Parse(Expected(QemuQcow2QueryBlock))!.ToJsonString()));
            Assert.That(JsonNode.Parse(stats)!.ToJsonString(), Is.EqualTo(JsonNode.Parse(QemuQcow2QueryBlockstats)!.ToJsonString()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void QueryBlockstats_BeforeIo_IsQemusReply()
    {
        string ours = Serialize(_monitor.QueryBlockstats(queryNodes: false), QmpJsonContext.Default.IReadOnlyListQmpBlockStats);

        Assert.That(JsonNode.Parse(ours)!.ToJsonString(), Is.EqualTo(JsonNode.Parse(QemuQueryBlockstats)!.ToJsonString()));
    }

    [Test]
    public void QueryBlockstats_AfterRealIo_CountsEveryKindOfRequest()
    {
        Assert.That(_guest.Write(8, new byte[1024]), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(_guest.Read(8, 1024), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(_guest.Read(0, 512), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(_guest.Flush(), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(_guest.Discard(16, 8), Is.EqualTo(VirtioBlockRequest.StatusOk));
        Assert.That(_guest.Read(2047, 1024), Is.EqualTo(VirtioBlockRequest.StatusIoError), "past the end: invalid");

        var stats = _monitor.QueryBlockstats(queryNodes: false).Single();

        Assert.That((stats.Stats.WrBytes, stats.Stats.WrOperations, stats.Stats.RdBytes, stats.Stats.RdOperations), Is.EqualTo((1024L, 1L, 1536L, 2L)));
        Assert.That((stats.Stats.FlushOperations, stats.Stats.UnmapOperations, stats.Stats.UnmapBytes), Is.EqualTo((1L, 1L, 4096L)));
        Assert.That((stats.Stats.InvalidRdOperations, stats.Stats.FailedRdOperations), Is.EqualTo((1L, 0L)));
        Assert.That(stats.Stats.WrHighestOffset, Is.EqualTo(16 * 512 + 4096), "the discard's end is the furthest");
        Assert.That(stats.Stats.IdleTimeNs, Is.Not.Null.And.GreaterThanOrEqualTo(0));
        Assert.That(stats.Stats.WrTotalTimeNs, Is.GreaterThan(0));
        Assert.That(stats.Parent!.Stats.WrHighestOffset, Is.EqualTo(stats.Stats.WrHighestOffset), "raw: file offsets are the disk's");
        Assert.That((stats.Parent.DriverSpecific!.DiscardOk, stats.Parent.DriverSpecific.DiscardBytesOk), Is.EqualTo((1L, 4096L)));
        string json = Serialize([stats], QmpJsonContext.Default.IReadOnlyListQmpBlockStats);
        Assert.That(Members(JsonNode.Parse(json)![0]!), Is.EqualTo(WithIdle(Members(JsonNode.Parse(QemuQueryBlockstats)![0]!))),
            "QEMU's members in QEMU's order, idle_time_ns added once there was I/O");
    }

    [Test]
    public void QueryBlockstats_QueryNodes_ListsFileThenFormatNode()
    {
        var nodes = _monitor.QueryBlockstats(queryNodes: true);

        Assert.That(nodes.Select(n => n.NodeName), Is.EqualTo(new[] { "libvirt-1-storage", "libvirt-1-format" }));
        Assert.That(nodes.All(n => n.Device is null && n.Qdev is null && !n.Stats.AccountFailed), Is.True);
        Assert.That(nodes[1].Parent!.NodeName, Is.EqualTo("libvirt-1-storage"));
    }

    [TestCase(null, "libvirt-1-format")]
    [TestCase(null, "libvirt-1-storage")]
    [TestCase("virtio-disk0", null)]
    [TestCase("vda", null)]
    [TestCase("/machine/peripheral/virtio-disk0/virtio-backend", null)]
    public void Resize_ByAnyOfTheDisksNames_GrowsImageDeviceAndReports(string? device, string? node)
    {
        _monitor.Resize(device, node, 2 << 20);

        Assert.That((_backend.Size, _guest.Device.CapacityBytes, new FileInfo(_image).Length), Is.EqualTo((2UL << 20, 2UL << 20, 2L << 20)));
        Assert.That(_monitor.QueryBlock()[0].Inserted!.Image.VirtualSize, Is.EqualTo(2L << 20));
        Assert.That(_guest.Read((2 << 20) / 512 - 1, 512), Is.EqualTo(VirtioBlockRequest.StatusOk), "the new last sector is readable");
    }

    [TestCase("nope", null, 1024, "Cannot find device='nope' nor node-name=''")]
    [TestCase(null, "libvirt-9-format", 1024, "Cannot find device='' nor node-name='libvirt-9-format'")]
    [TestCase(null, null, 1024, "Cannot find device='' nor node-name=''")]
    [TestCase(null, "libvirt-1-format", -1, "Parameter 'size' expects a >0 size")]
    [TestCase(null, "libvirt-1-format", 1000, "The new size must be a multiple of 512")]
    public void Resize_Refused_AnswersQemusError(string? device, string? node, long size, string error)
    {
        var e = Assert.Throws<QmpException>(() => _monitor.Resize(device, node, size));

        Assert.That((e!.ErrorClass, e.Message), Is.EqualTo((QmpErrorClass.GenericError, error)));
        Assert.That(_backend.Size, Is.EqualTo(1UL << 20));
    }

    [Test]
    public void IoError_ImageFails_EmitsOneBlockIoErrorPerSecondInQemusShape()
    {
        using var failing = new FailingBackend(1 << 20);
        using var guest = new VirtioBlockGuest(failing, new VirtioBlockConfig { Name = "vdb" });
        var monitor = new DiskMonitor([(new PciAddress(0, 5, 0), guest.Device)], []);
        var sink = new RecordingSink();
        monitor.ReportErrorsTo(sink);

        Assert.That(guest.Read(0, 512), Is.EqualTo(VirtioBlockRequest.StatusIoError));
        Assert.That(guest.Read(0, 512), Is.EqualTo(VirtioBlockRequest.StatusIoError));

        Assert.That(sink.Events, Is.EqualTo(new[]
        {
            """BLOCK_IO_ERROR {"device":"","nospace":false,"node-name":"libvirt-1-format","reason":"Input/output error","operation":"read","action":"report"}""",
        }), "the second failure within a second is not reported again");
        Assert.That(monitor.QueryBlockstats(false)[0].Stats.FailedRdOperations, Is.EqualTo(2));
    }

    [Test]
    public void QueryPci_HostBridgeAndDisk_ReadsTheirConfigurationSpace()
    {
        var bus = new PciRootBus();
        bus.Add(0, new PciHostBridge());
        bus.Add(4, _guest.Transport);

        var devices = PciMonitor.Query(bus, address => _monitor.DeviceIdAt(address)).Single().Devices;

        string json = Serialize(devices, s_pciDevices);
        Assert.That(json, Is.EqualTo(
            """[{"irq_pin":0,"bus":0,"qdev_id":"","slot":0,"class_info":{"class":1536,"desc":"Host bridge"},"id":{"device":4663,"subsystem-vendor":6900,"vendor":32902,"subsystem":4352},"function":0,"regions":[]},""" +
            """{"irq_pin":1,"bus":0,"qdev_id":"virtio-disk0","irq":0,"slot":4,"class_info":{"class":384,"desc":"Storage controller"},"id":{"device":4162,"subsystem-vendor":6900,"vendor":6900,"subsystem":4352},"function":0,""" +
            $$"""
            "regions":[{"prefetch":{{Lower(_guest.Transport.Config.Bars[4]!.Prefetchable)}},"mem_type_64":true,"bar":4,"size":{{_guest.Transport.Config.Bars[4]!.Size}},"address":{{VirtioBlockGuest.Bar}},"type":"memory"}]}]
            """));
    }

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<IReadOnlyList<QmpPciDeviceInfo>> s_pciDevices =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<IReadOnlyList<QmpPciDeviceInfo>>)QmpJsonContext.Default.GetTypeInfo(typeof(IReadOnlyList<QmpPciDeviceInfo>))!;

    private static long Allocated(string path) => long.Parse(
        DiskGuest.Run("stat", "-c", "%b", path).Output.Trim(), System.Globalization.CultureInfo.InvariantCulture) * 512;

    private static string Lower(bool value) => value ? "true" : "false";

    private static string Serialize<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        System.Text.Json.JsonSerializer.Serialize(value, info);

    /// <summary>Every member path in document order.</summary>
    private static List<string> Members(JsonNode node, string path = "")
    {
        var members = new List<string>();
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                members.Add(path + "." + key);
                if (value is not null)
                {
                    members.AddRange(Members(value, path + "." + key));
                }
            }
        }

        return members;
    }

    private static List<string> WithIdle(List<string> members)
    {
        members.Insert(members.IndexOf(".stats.account_failed") + 1, ".stats.idle_time_ns");
        return members;
    }

    private sealed class RecordingSink : IQmpEventSink
    {
        public List<string> Events { get; } = [];

        public void Emit(string name) => Events.Add(name);

        public void Emit<TData>(string name, TData data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TData> dataTypeInfo) =>
            Events.Add(name + " " + System.Text.Json.JsonSerializer.Serialize(data, dataTypeInfo));
    }

    /// <summary>An image whose every read and write fails as a dying disk's would.</summary>
    private sealed class FailingBackend(ulong size) : IBlockBackend
    {
        public ulong Size => size;

        public bool ReadOnly => false;

        public bool SupportsDiscard => false;

        public BlockStatus Read(ulong offset, Span<byte> destination) => BlockStatus.IoError;

        public BlockStatus Write(ulong offset, ReadOnlySpan<byte> source) => BlockStatus.IoError;

        public BlockStatus Flush() => BlockStatus.IoError;

        public BlockStatus Discard(ulong offset, ulong length) => BlockStatus.IoError;

        public BlockStatus WriteZeroes(ulong offset, ulong length, bool mayUnmap) => BlockStatus.IoError;

        public BlockStatus Resize(ulong newSize) => BlockStatus.IoError;

        public void Dispose()
        {
        }
    }
}
