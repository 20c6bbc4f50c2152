using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>The balloon's QOM guest-stats: the statistics and when the guest last sent them (Unix seconds, 0 for never).</summary>
public sealed record QmpGuestStats(
    [property: JsonPropertyName("stats"), JsonPropertyOrder(0)] QmpGuestStatsValues Stats,
    [property: JsonPropertyName("last-update"), JsonPropertyOrder(1)] long LastUpdate);
