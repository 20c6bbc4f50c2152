using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// BlockDeviceInfo (query-block's <c>inserted</c>): the medium's top node. QEMU 7.2's member order; the I/O throttling
/// limits are all zero (no throttling), the <c>*_max</c> ones absent, as QEMU writes them without a throttle group.
/// </summary>
public sealed record QmpBlockDeviceInfo
{
    [JsonPropertyName("iops_rd"), JsonPropertyOrder(0)] public long IopsRd { get; init; }

    [JsonPropertyName("detect_zeroes"), JsonPropertyOrder(1)] public string DetectZeroes { get; init; } = "off";

    [JsonPropertyName("image"), JsonPropertyOrder(2)] public required QmpImageInfo Image { get; init; }

    [JsonPropertyName("iops_wr"), JsonPropertyOrder(3)] public long IopsWr { get; init; }

    [JsonPropertyName("ro"), JsonPropertyOrder(4)] public bool ReadOnly { get; init; }

    [JsonPropertyName("node-name"), JsonPropertyOrder(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeName { get; init; }

    [JsonPropertyName("backing_file_depth"), JsonPropertyOrder(6)] public int BackingFileDepth { get; init; }

    /// <summary>The format driver: "raw", "qcow2".</summary>
    [JsonPropertyName("drv"), JsonPropertyOrder(7)] public required string Driver { get; init; }

    [JsonPropertyName("iops"), JsonPropertyOrder(8)] public long Iops { get; init; }

    [JsonPropertyName("bps_wr"), JsonPropertyOrder(9)] public long BpsWr { get; init; }

    [JsonPropertyName("write_threshold"), JsonPropertyOrder(10)] public long WriteThreshold { get; init; }

    [JsonPropertyName("backing_file"), JsonPropertyOrder(11), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BackingFile { get; init; }

    [JsonPropertyName("encrypted"), JsonPropertyOrder(12)] public bool Encrypted { get; init; }

    [JsonPropertyName("bps"), JsonPropertyOrder(13)] public long Bps { get; init; }

    [JsonPropertyName("bps_rd"), JsonPropertyOrder(14)] public long BpsRd { get; init; }

    [JsonPropertyName("cache"), JsonPropertyOrder(15)] public required QmpBlockDeviceCacheInfo Cache { get; init; }

    /// <summary>The image's file name (QEMU: the top node's filename).</summary>
    [JsonPropertyName("file"), JsonPropertyOrder(16)] public required string File { get; init; }
}
