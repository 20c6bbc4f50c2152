using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// Data of BLOCK_IO_ERROR, in QEMU 7.2's member order: <c>device</c> is the backend's name ("" for -blockdev disks),
/// <c>operation</c> "read" or "write" (a failed flush is a write), <c>action</c> "report" (the error went to the guest),
/// <c>reason</c> the host's error text.
/// </summary>
public sealed record QmpBlockIoErrorEventData(
    [property: JsonPropertyName("device"), JsonPropertyOrder(0)] string Device,
    [property: JsonPropertyName("nospace"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? NoSpace,
    [property: JsonPropertyName("node-name"), JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NodeName,
    [property: JsonPropertyName("reason"), JsonPropertyOrder(3)] string Reason,
    [property: JsonPropertyName("operation"), JsonPropertyOrder(4)] string Operation,
    [property: JsonPropertyName("action"), JsonPropertyOrder(5)] string Action);
