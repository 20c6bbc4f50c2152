using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>query-balloon's BalloonInfo: the guest's memory in bytes.</summary>
public sealed record QmpBalloonInfo([property: JsonPropertyName("actual")] long Actual);
