namespace Kvm.Driver.Domains;

/// <summary>
/// virDomainInterfaceStatsStruct: one interface's counters as the guest sees them (rx = what the guest received).
/// </summary>
public readonly record struct InterfaceCounters(
    ulong RxBytes, ulong RxPackets, ulong RxErrors, ulong RxDrops,
    ulong TxBytes, ulong TxPackets, ulong TxErrors, ulong TxDrops)
{
    /// <summary>
    /// The guest's view of a tap's host-side counters: what the host sent on the tap the guest received, so rx and
    /// tx change places (libvirt's virNetDevTapInterfaceStats with swapped=true).
    /// </summary>
    public InterfaceCounters Swapped() =>
        new(TxBytes, TxPackets, TxErrors, TxDrops, RxBytes, RxPackets, RxErrors, RxDrops);
}
