namespace Kvm.Vmm.Devices.Virtio;

/// <summary>Feature bits every virtio device type shares (virtio 1.2, 6 "Reserved Feature Bits"), as 64-bit masks.</summary>
public static class VirtioFeature
{
    public const ulong RingIndirectDesc = 1UL << 28; // VIRTIO_F_RING_INDIRECT_DESC
    public const ulong RingEventIdx = 1UL << 29; // VIRTIO_F_RING_EVENT_IDX
    public const ulong Version1 = 1UL << 32; // VIRTIO_F_VERSION_1

    /// <summary>What the transport offers for every device: modern virtio with indirect descriptors and event indices.</summary>
    public const ulong Transport = Version1 | RingIndirectDesc | RingEventIdx;
}
