using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Data of the SHUTDOWN and RESET events.</summary>
public sealed record QmpShutdownEventData(
    [property: JsonPropertyName("guest")] bool Guest,
    [property: JsonPropertyName("reason")] QmpShutdownCause Reason);
