using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// Feature arithmetic between virtio-net and vhost-net (linux/vhost.h, drivers/vhost/net.c). The kernel implements the
/// ring's and the header's layout only: those bits are offered to the guest when both this device and the kernel have
/// them, and only they go to VHOST_SET_FEATURES. Everything else (MAC, status, MTU, the offloads, which the tap carries)
/// stays this device's own, as QEMU's kernel_feature_bits split them.
/// </summary>
public static class VhostNetFeatures
{
    public const ulong NotifyOnEmpty = 1UL << 24; // VIRTIO_F_NOTIFY_ON_EMPTY
    public const ulong AccessPlatform = 1UL << 33; // VIRTIO_F_ACCESS_PLATFORM
    public const ulong RingPacked = 1UL << 34; // VIRTIO_F_RING_PACKED

    /// <summary>The bits the kernel's datapath implements (the rest it never sees).</summary>
    public const ulong KernelBits = NotifyOnEmpty | VirtioFeature.RingIndirectDesc | VirtioFeature.RingEventIdx
        | H.FeatureMrgRxbuf | VirtioFeature.Version1 | AccessPlatform | RingPacked;

    /// <summary>
    /// The device features to offer over vhost: the userspace device's own (<paramref name="device"/>), plus MRG_RXBUF
    /// (which the userspace datapath offers too), with the kernel's bits kept only where <paramref name="vhost"/> (VHOST_GET_FEATURES) has them too.
    /// </summary>
    public static ulong Offer(ulong device, ulong vhost)
    {
        ulong wanted = device | H.FeatureMrgRxbuf;
        return (wanted & ~KernelBits) | (wanted & vhost & KernelBits);
    }

    /// <summary>What VHOST_SET_FEATURES gets: the kernel's bits among those the driver accepted.</summary>
    public static ulong ForKernel(ulong accepted) => accepted & KernelBits;

    /// <summary>
    /// The virtio_net_hdr size the tap must use under vhost (TUNSETVNETHDRSZ): 12 with VERSION_1 or MRG_RXBUF
    /// (num_buffers included), else 10, as vhost_net_set_features works it out.
    /// </summary>
    public static int HeaderSize(ulong accepted) =>
        (accepted & (H.FeatureMrgRxbuf | VirtioFeature.Version1)) != 0 ? H.Size : H.LegacySize;

    /// <summary>
    /// Why the kernel's vhost-net cannot serve this device, or null: the transport offers every driver VERSION_1,
    /// indirect descriptors and event indices, so the kernel must implement all three.
    /// </summary>
    public static string? Unusable(ulong vhost) => (VirtioFeature.Transport & ~vhost) is var missing and not 0
        ? $"the kernel's vhost-net lacks features 0x{missing:x} (VERSION_1, INDIRECT_DESC, EVENT_IDX) the transport offers"
        : null;
}
