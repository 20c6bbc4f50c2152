using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// BlockStats (query-blockstats): a backend's counters (<see cref="Stats"/>), then the node below it in
/// <see cref="Parent"/> (the format node's file node) and the backing image's node in <see cref="Backing"/>, as
/// QEMU 7.2 nests them. Members in QEMU's order; absent ones left out.
/// </summary>
public sealed record QmpBlockStats
{
    [JsonPropertyName("device"), JsonPropertyOrder(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Device { get; init; }

    [JsonPropertyName("parent"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QmpBlockStats? Parent { get; init; }

    [JsonPropertyName("stats"), JsonPropertyOrder(2)] public required QmpBlockDeviceStats Stats { get; init; }

    [JsonPropertyName("backing"), JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QmpBlockStats? Backing { get; init; }

    [JsonPropertyName("node-name"), JsonPropertyOrder(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeName { get; init; }

    /// <summary>The file driver's discard counters (BlockStatsSpecificFile), for a file node.</summary>
    [JsonPropertyName("driver-specific"), JsonPropertyOrder(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QmpBlockStatsSpecificFile? DriverSpecific { get; init; }

    [JsonPropertyName("qdev"), JsonPropertyOrder(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Qdev { get; init; }
}
