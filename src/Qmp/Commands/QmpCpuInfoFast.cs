using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>CpuInfoFast (query-cpus-fast), in the member order QEMU 7.2 writes.</summary>
public sealed record QmpCpuInfoFast(
    [property: JsonPropertyName("thread-id"), JsonPropertyOrder(0)] int ThreadId,
    [property: JsonPropertyName("props"), JsonPropertyOrder(1)] QmpCpuInstanceProperties Props,
    [property: JsonPropertyName("qom-path"), JsonPropertyOrder(2)] string QomPath,
    [property: JsonPropertyName("cpu-index"), JsonPropertyOrder(3)] int CpuIndex,
    [property: JsonPropertyName("target"), JsonPropertyOrder(4)] string Target);
