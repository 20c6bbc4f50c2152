using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// What a device gets at DRIVER_OK: guest memory, the accepted features, and per queue the virtqueue (null when the
/// driver did not enable it), the eventfd its doorbell signals, and a way to interrupt the driver or declare the device
/// broken.
/// </summary>
public sealed class VirtioActivation(GuestMemory memory, ulong features, Virtqueue?[] queues, EventFd[] kicks, IVirtioInterrupt interrupt)
{
    public GuestMemory Memory { get; } = memory;

    public ulong Features { get; } = features;

    public IReadOnlyList<Virtqueue?> Queues { get; } = queues;

    /// <summary>Signalled each time the driver notifies the queue of the same index.</summary>
    public IReadOnlyList<EventFd> Kicks { get; } = kicks;

    public IVirtioInterrupt Interrupt { get; } = interrupt;

    public bool Has(ulong feature) => (Features & feature) == feature;
}
