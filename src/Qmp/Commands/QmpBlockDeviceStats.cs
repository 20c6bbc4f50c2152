using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// BlockDeviceStats: a backend's I/O counters (a node below it has only <c>wr_highest_offset</c>, the rest zero and the
/// account flags false, as in QEMU). Members in QEMU 7.2's order; the latency histograms are never set.
/// </summary>
public sealed record QmpBlockDeviceStats
{
    [JsonPropertyName("unmap_operations"), JsonPropertyOrder(0)] public long UnmapOperations { get; init; }

    [JsonPropertyName("unmap_merged"), JsonPropertyOrder(1)] public long UnmapMerged { get; init; }

    [JsonPropertyName("flush_total_time_ns"), JsonPropertyOrder(2)] public long FlushTotalTimeNs { get; init; }

    [JsonPropertyName("wr_highest_offset"), JsonPropertyOrder(3)] public long WrHighestOffset { get; init; }

    [JsonPropertyName("wr_total_time_ns"), JsonPropertyOrder(4)] public long WrTotalTimeNs { get; init; }

    [JsonPropertyName("failed_wr_operations"), JsonPropertyOrder(5)] public long FailedWrOperations { get; init; }

    [JsonPropertyName("failed_rd_operations"), JsonPropertyOrder(6)] public long FailedRdOperations { get; init; }

    [JsonPropertyName("wr_merged"), JsonPropertyOrder(7)] public long WrMerged { get; init; }

    [JsonPropertyName("wr_bytes"), JsonPropertyOrder(8)] public long WrBytes { get; init; }

    /// <summary>BlockDeviceTimedStats per accounting interval; none are configured, so always empty.</summary>
    [JsonPropertyName("timed_stats"), JsonPropertyOrder(9)] public JsonArray TimedStats { get; init; } = [];

    [JsonPropertyName("failed_unmap_operations"), JsonPropertyOrder(10)] public long FailedUnmapOperations { get; init; }

    [JsonPropertyName("failed_flush_operations"), JsonPropertyOrder(11)] public long FailedFlushOperations { get; init; }

    [JsonPropertyName("account_invalid"), JsonPropertyOrder(12)] public bool AccountInvalid { get; init; }

    [JsonPropertyName("rd_total_time_ns"), JsonPropertyOrder(13)] public long RdTotalTimeNs { get; init; }

    [JsonPropertyName("invalid_unmap_operations"), JsonPropertyOrder(14)] public long InvalidUnmapOperations { get; init; }

    [JsonPropertyName("flush_operations"), JsonPropertyOrder(15)] public long FlushOperations { get; init; }

    [JsonPropertyName("wr_operations"), JsonPropertyOrder(16)] public long WrOperations { get; init; }

    [JsonPropertyName("unmap_bytes"), JsonPropertyOrder(17)] public long UnmapBytes { get; init; }

    [JsonPropertyName("rd_merged"), JsonPropertyOrder(18)] public long RdMerged { get; init; }

    [JsonPropertyName("rd_bytes"), JsonPropertyOrder(19)] public long RdBytes { get; init; }

    [JsonPropertyName("unmap_total_time_ns"), JsonPropertyOrder(20)] public long UnmapTotalTimeNs { get; init; }

    [JsonPropertyName("invalid_flush_operations"), JsonPropertyOrder(21)] public long InvalidFlushOperations { get; init; }

    [JsonPropertyName("account_failed"), JsonPropertyOrder(22)] public bool AccountFailed { get; init; }

    /// <summary>Nanoseconds since the last request finished; absent before the first.</summary>
    [JsonPropertyName("idle_time_ns"), JsonPropertyOrder(23), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IdleTimeNs { get; init; }

    [JsonPropertyName("rd_operations"), JsonPropertyOrder(24)] public long RdOperations { get; init; }

    [JsonPropertyName("invalid_wr_operations"), JsonPropertyOrder(25)] public long InvalidWrOperations { get; init; }

    [JsonPropertyName("invalid_rd_operations"), JsonPropertyOrder(26)] public long InvalidRdOperations { get; init; }
}
