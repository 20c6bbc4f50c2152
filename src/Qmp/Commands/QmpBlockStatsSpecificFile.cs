using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>BlockStatsSpecific for the file (and host_device) driver: discards the host file system took or refused.</summary>
public sealed record QmpBlockStatsSpecificFile
{
    [JsonPropertyName("discard-bytes-ok"), JsonPropertyOrder(0)] public long DiscardBytesOk { get; init; }

    [JsonPropertyName("discard-nb-ok"), JsonPropertyOrder(1)] public long DiscardOk { get; init; }

    /// <summary>The union's tag: "file" for a regular file, "host_device" for a block device.</summary>
    [JsonPropertyName("driver"), JsonPropertyOrder(2)] public string Driver { get; init; } = "file";

    [JsonPropertyName("discard-nb-failed"), JsonPropertyOrder(3)] public long DiscardFailed { get; init; }
}
