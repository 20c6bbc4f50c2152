using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>CpuInstanceProperties: where a vCPU sits in the topology (the members an x86 PC reports).</summary>
public sealed record QmpCpuInstanceProperties(
    [property: JsonPropertyName("core-id"), JsonPropertyOrder(0)] int CoreId,
    [property: JsonPropertyName("thread-id"), JsonPropertyOrder(1)] int ThreadId,
    [property: JsonPropertyName("socket-id"), JsonPropertyOrder(2)] int SocketId);
