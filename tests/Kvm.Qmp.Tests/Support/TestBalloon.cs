using Kvm.Qmp.Commands;

namespace Kvm.Qmp.Tests.Support;

/// <summary>
/// A balloon for the command tests: a guest that never moves (actual stays the RAM, as under QEMU without a guest
/// driver), the targets it was given, and statistics the test sets. The real balloon is kvm-vmm's (VirtioBalloon).
/// </summary>
internal sealed class TestBalloon(long ramBytes) : IQmpBalloon
{
    public string Id => "balloon0";

    public long ActualBytes => ramBytes;

    public List<long> Targets { get; } = [];

    public QmpGuestStats GuestStats { get; set; } = new(new QmpGuestStatsValues(), 0);

    public uint PollingInterval { get; set; }

    public void SetTarget(long bytes) => Targets.Add(bytes);
}
