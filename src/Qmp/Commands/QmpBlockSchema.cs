using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// Schema types of query-block, query-blockstats, block_resize and BLOCK_IO_ERROR (QEMU 7.2's qapi/block-core.json),
/// every member QEMU declares, so query-qmp-schema matches QEMU's. The two flat unions (ImageInfoSpecific,
/// BlockStatsSpecific) are described by their tag member only: our schema types have no variants.
/// </summary>
public static class QmpBlockSchema
{
    private static readonly QmpBuiltinType s_int = QmpBuiltinType.Int;
    private static readonly QmpBuiltinType s_str = QmpBuiltinType.Str;
    private static readonly QmpBuiltinType s_bool = QmpBuiltinType.Bool;

    public static QmpEnumType BlockDeviceIoStatus { get; } = new("BlockDeviceIoStatus", "ok", "failed", "nospace");

    public static QmpEnumType DetectZeroes { get; } = new("BlockdevDetectZeroesOptions", "off", "on", "unmap");

    public static QmpEnumType BlockdevDriver { get; } = new(
        "BlockdevDriver", "blkdebug", "blklogwrites", "blkreplay", "blkverify", "bochs", "cloop", "compress",
        "copy-before-write", "copy-on-read", "dmg", "file", "snapshot-access", "ftp", "ftps", "gluster", "host_cdrom",
        "host_device", "http", "https", "iscsi", "luks", "nbd", "nfs", "null-aio", "null-co", "nvme", "parallels",
        "preallocate", "qcow", "qcow2", "qed", "quorum", "raw", "rbd", "replication", "ssh", "throttle", "vdi", "vhdx",
        "vmdk", "vpc", "vvfat");

    public static QmpObjectType SnapshotInfo { get; } = new(
        "SnapshotInfo",
        new QmpMember("id", s_str),
        new QmpMember("name", s_str),
        new QmpMember("vm-state-size", s_int),
        new QmpMember("date-sec", s_int),
        new QmpMember("date-nsec", s_int),
        new QmpMember("vm-clock-sec", s_int),
        new QmpMember("vm-clock-nsec", s_int),
        new QmpMember("icount", s_int, Optional: true));

    public static QmpObjectType ImageInfoSpecific { get; } = new(
        "ImageInfoSpecific", new QmpMember("type", new QmpEnumType("ImageInfoSpecificKind", "qcow2", "vmdk", "luks", "rbd")));

    public static QmpObjectType ImageInfo { get; } = new("ImageInfo", self =>
    [
        new QmpMember("filename", s_str),
        new QmpMember("format", s_str),
        new QmpMember("dirty-flag", s_bool, Optional: true),
        new QmpMember("actual-size", s_int, Optional: true),
        new QmpMember("virtual-size", s_int),
        new QmpMember("cluster-size", s_int, Optional: true),
        new QmpMember("encrypted", s_bool, Optional: true),
        new QmpMember("compressed", s_bool, Optional: true),
        new QmpMember("backing-filename", s_str, Optional: true),
        new QmpMember("full-backing-filename", s_str, Optional: true),
        new QmpMember("backing-filename-format", s_str, Optional: true),
        new QmpMember("snapshots", new QmpArrayType(SnapshotInfo), Optional: true),
        new QmpMember("backing-image", self, Optional: true),
        new QmpMember("format-specific", ImageInfoSpecific, Optional: true),
    ]);

    public static QmpObjectType BlockdevCacheInfo { get; } = new(
        "BlockdevCacheInfo",
        new QmpMember("writeback", s_bool),
        new QmpMember("direct", s_bool),
        new QmpMember("no-flush", s_bool));

    public static QmpObjectType BlockDirtyInfo { get; } = new(
        "BlockDirtyInfo",
        new QmpMember("name", s_str, Optional: true),
        new QmpMember("count", s_int),
        new QmpMember("granularity", s_int),
        new QmpMember("recording", s_bool),
        new QmpMember("busy", s_bool),
        new QmpMember("persistent", s_bool),
        new QmpMember("inconsistent", s_bool, Optional: true));

    public static QmpObjectType BlockDeviceInfo { get; } = new(
        "BlockDeviceInfo",
        [
            new QmpMember("file", s_str),
            new QmpMember("node-name", s_str, Optional: true),
            new QmpMember("ro", s_bool),
            new QmpMember("drv", s_str),
            new QmpMember("backing_file", s_str, Optional: true),
            new QmpMember("backing_file_depth", s_int),
            new QmpMember("encrypted", s_bool),
            new QmpMember("detect_zeroes", DetectZeroes),
            new QmpMember("bps", s_int),
            new QmpMember("bps_rd", s_int),
            new QmpMember("bps_wr", s_int),
            new QmpMember("iops", s_int),
            new QmpMember("iops_rd", s_int),
            new QmpMember("iops_wr", s_int),
            new QmpMember("image", ImageInfo),
            .. Optionals(s_int, "bps_max", "bps_rd_max", "bps_wr_max", "iops_max", "iops_rd_max", "iops_wr_max",
                "bps_max_length", "bps_rd_max_length", "bps_wr_max_length", "iops_max_length", "iops_rd_max_length",
                "iops_wr_max_length", "iops_size"),
            new QmpMember("group", s_str, Optional: true),
            new QmpMember("cache", BlockdevCacheInfo),
            new QmpMember("write_threshold", s_int),
            new QmpMember("dirty-bitmaps", new QmpArrayType(BlockDirtyInfo), Optional: true),
        ]);

    public static QmpArrayType BlockInfoList { get; } = new(new QmpObjectType(
        "BlockInfo",
        new QmpMember("device", s_str),
        new QmpMember("qdev", s_str, Optional: true),
        new QmpMember("type", s_str),
        new QmpMember("removable", s_bool),
        new QmpMember("locked", s_bool),
        new QmpMember("inserted", BlockDeviceInfo, Optional: true),
        new QmpMember("tray_open", s_bool, Optional: true),
        new QmpMember("io-status", BlockDeviceIoStatus, Optional: true)));

    public static QmpObjectType BlockDeviceTimedStats { get; } = new(
        "BlockDeviceTimedStats",
        [
            .. Required(s_int, "interval_length", "min_rd_latency_ns", "max_rd_latency_ns", "avg_rd_latency_ns",
                "min_wr_latency_ns", "max_wr_latency_ns", "avg_wr_latency_ns", "min_flush_latency_ns", "max_flush_latency_ns",
                "avg_flush_latency_ns"),
            new QmpMember("avg_rd_queue_depth", QmpBuiltinType.Number),
            new QmpMember("avg_wr_queue_depth", QmpBuiltinType.Number),
        ]);

    public static QmpObjectType BlockLatencyHistogramInfo { get; } = new(
        "BlockLatencyHistogramInfo",
        new QmpMember("boundaries", new QmpArrayType(s_int)),
        new QmpMember("bins", new QmpArrayType(s_int)));

    public static QmpObjectType BlockDeviceStats { get; } = new(
        "BlockDeviceStats",
        [
            .. Required(s_int, "rd_bytes", "wr_bytes", "unmap_bytes", "rd_operations", "wr_operations", "flush_operations",
                "unmap_operations", "rd_total_time_ns", "wr_total_time_ns", "flush_total_time_ns", "unmap_total_time_ns",
                "wr_highest_offset", "rd_merged", "wr_merged", "unmap_merged"),
            new QmpMember("idle_time_ns", s_int, Optional: true),
            .. Required(s_int, "failed_rd_operations", "failed_wr_operations", "failed_flush_operations",
                "failed_unmap_operations", "invalid_rd_operations", "invalid_wr_operations", "invalid_flush_operations",
                "invalid_unmap_operations"),
            new QmpMember("account_invalid", s_bool),
            new QmpMember("account_failed", s_bool),
            new QmpMember("timed_stats", new QmpArrayType(BlockDeviceTimedStats)),
            new QmpMember("rd_latency_histogram", BlockLatencyHistogramInfo, Optional: true),
            new QmpMember("wr_latency_histogram", BlockLatencyHistogramInfo, Optional: true),
            new QmpMember("flush_latency_histogram", BlockLatencyHistogramInfo, Optional: true),
        ]);

    public static QmpObjectType BlockStatsSpecific { get; } = new("BlockStatsSpecific", new QmpMember("driver", BlockdevDriver));

    public static QmpArrayType BlockStatsList { get; } = new(new QmpObjectType("BlockStats", self =>
    [
        new QmpMember("device", s_str, Optional: true),
        new QmpMember("qdev", s_str, Optional: true),
        new QmpMember("node-name", s_str, Optional: true),
        new QmpMember("stats", BlockDeviceStats),
        new QmpMember("driver-specific", BlockStatsSpecific, Optional: true),
        new QmpMember("parent", self, Optional: true),
        new QmpMember("backing", self, Optional: true),
    ]));

    public static QmpObjectType QueryBlockstatsArguments { get; } = new(
        "q_obj_query-blockstats-arg", new QmpMember("query-nodes", s_bool, Optional: true));

    public static QmpObjectType BlockResizeArguments { get; } = new(
        "q_obj_block_resize-arg",
        new QmpMember("device", s_str, Optional: true),
        new QmpMember("node-name", s_str, Optional: true),
        new QmpMember("size", s_int));

    public static QmpObjectType BlockIoErrorEventData { get; } = new(
        "q_obj_BLOCK_IO_ERROR-arg",
        new QmpMember("device", s_str),
        new QmpMember("node-name", s_str, Optional: true),
        new QmpMember("operation", new QmpEnumType("IoOperationType", "read", "write")),
        new QmpMember("action", new QmpEnumType("BlockErrorAction", "ignore", "report", "stop")),
        new QmpMember("nospace", s_bool, Optional: true),
        new QmpMember("reason", s_str));

    public static IReadOnlyList<QmpEventDefinition> Events { get; } = [new("BLOCK_IO_ERROR", BlockIoErrorEventData)];

    private static IEnumerable<QmpMember> Required(QmpType type, params string[] names) => names.Select(n => new QmpMember(n, type));

    private static IEnumerable<QmpMember> Optionals(QmpType type, params string[] names) => names.Select(n => new QmpMember(n, type, Optional: true));
}
