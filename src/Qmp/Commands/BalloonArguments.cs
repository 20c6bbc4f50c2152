using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>Arguments of balloon: the target, in bytes.</summary>
public sealed record BalloonArguments([property: JsonPropertyName("value")] long Value);
