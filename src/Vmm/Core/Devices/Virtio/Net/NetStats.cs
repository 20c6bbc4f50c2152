namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// A NIC's counters from the guest's side, as QEMU and libvirt report them (rx: host to guest). Written by the device's
/// thread, read by anyone.
/// </summary>
public sealed class NetStats
{
    private long _rxPackets;
    private long _rxBytes;
    private long _rxDropped;
    private long _rxWaits;
    private long _txPackets;
    private long _txBytes;
    private long _txDropped;

    public long RxPackets => Interlocked.Read(ref _rxPackets);

    public long RxBytes => Interlocked.Read(ref _rxBytes);

    /// <summary>Frames from the host the guest had no room for (no receive buffer, one too small, or the link down).</summary>
    public long RxDropped => Interlocked.Read(ref _rxDropped);

    /// <summary>
    /// Times a frame from the host found too few receive buffers and waited in the device (not read from the host
    /// meanwhile) until the guest added more, as QEMU holds it.
    /// </summary>
    public long RxWaits => Interlocked.Read(ref _rxWaits);

    public long TxPackets => Interlocked.Read(ref _txPackets);

    public long TxBytes => Interlocked.Read(ref _txBytes);

    /// <summary>Frames from the guest the host did not take (its queue full, the link down).</summary>
    public long TxDropped => Interlocked.Read(ref _txDropped);

    internal void Received(int bytes)
    {
        Interlocked.Increment(ref _rxPackets);
        Interlocked.Add(ref _rxBytes, bytes);
    }

    internal void DroppedRx() => Interlocked.Increment(ref _rxDropped);

    internal void WaitedRx() => Interlocked.Increment(ref _rxWaits);

    internal void Sent(int bytes)
    {
        Interlocked.Increment(ref _txPackets);
        Interlocked.Add(ref _txBytes, bytes);
    }

    internal void DroppedTx() => Interlocked.Increment(ref _txDropped);
}
