using System.Text.Json.Serialization;

namespace Kvm.Qmp.Commands;

/// <summary>
/// The "stats" member of guest-stats: QEMU 7.2's ten statistics (ulong.MaxValue for one the guest never sent), in
/// the member order of QEMU's reply.
/// </summary>
public sealed record QmpGuestStatsValues
{
    [JsonPropertyName("stat-htlb-pgalloc"), JsonPropertyOrder(0)]
    public ulong HugetlbAllocations { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-swap-out"), JsonPropertyOrder(1)]
    public ulong SwapOut { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-available-memory"), JsonPropertyOrder(2)]
    public ulong AvailableMemory { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-htlb-pgfail"), JsonPropertyOrder(3)]
    public ulong HugetlbFailures { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-free-memory"), JsonPropertyOrder(4)]
    public ulong FreeMemory { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-minor-faults"), JsonPropertyOrder(5)]
    public ulong MinorFaults { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-major-faults"), JsonPropertyOrder(6)]
    public ulong MajorFaults { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-total-memory"), JsonPropertyOrder(7)]
    public ulong TotalMemory { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-swap-in"), JsonPropertyOrder(8)]
    public ulong SwapIn { get; init; } = ulong.MaxValue;

    [JsonPropertyName("stat-disk-caches"), JsonPropertyOrder(9)]
    public ulong DiskCaches { get; init; } = ulong.MaxValue;
}
