using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// ImageInfo (query-block's <c>inserted.image</c>): an image of the chain and, through <see cref="BackingImage"/>, the
/// ones below it. QEMU 7.2's member order; absent members are left out.
/// </summary>
public sealed record QmpImageInfo
{
    [JsonPropertyName("backing-image"), JsonPropertyOrder(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QmpImageInfo? BackingImage { get; init; }

    [JsonPropertyName("backing-filename-format"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BackingFilenameFormat { get; init; }

    [JsonPropertyName("virtual-size"), JsonPropertyOrder(2)] public long VirtualSize { get; init; }

    [JsonPropertyName("filename"), JsonPropertyOrder(3)] public required string Filename { get; init; }

    [JsonPropertyName("cluster-size"), JsonPropertyOrder(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ClusterSize { get; init; }

    [JsonPropertyName("format"), JsonPropertyOrder(5)] public required string Format { get; init; }

    /// <summary>Bytes the image file takes on the host (st_blocks × 512).</summary>
    [JsonPropertyName("actual-size"), JsonPropertyOrder(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ActualSize { get; init; }

    [JsonPropertyName("full-backing-filename"), JsonPropertyOrder(7), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FullBackingFilename { get; init; }

    [JsonPropertyName("backing-filename"), JsonPropertyOrder(8), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BackingFilename { get; init; }

    [JsonPropertyName("dirty-flag"), JsonPropertyOrder(9), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DirtyFlag { get; init; }
}
