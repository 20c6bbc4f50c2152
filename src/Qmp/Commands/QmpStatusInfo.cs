using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>StatusInfo (query-status), in QEMU's member order.</summary>
public sealed record QmpStatusInfo(
    [property: JsonPropertyName("status"), JsonPropertyOrder(0)] QmpRunState Status,
    [property: JsonPropertyName("singlestep"), JsonPropertyOrder(1)] bool Singlestep,
    [property: JsonPropertyName("running"), JsonPropertyOrder(2)] bool Running);
