namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>virtio-net's feature bits, configuration layout and packet header (virtio 1.2, 5.1).</summary>
public static class VirtioNetHeader
{
    public const ulong FeatureCsum = 1UL << 0; // VIRTIO_NET_F_CSUM: the driver may send frames with a partial checksum
    public const ulong FeatureGuestCsum = 1UL << 1; // VIRTIO_NET_F_GUEST_CSUM: the driver takes frames with a partial checksum
    public const ulong FeatureMtu = 1UL << 3; // VIRTIO_NET_F_MTU
    public const ulong FeatureGuestTso4 = 1UL << 7; // VIRTIO_NET_F_GUEST_TSO4
    public const ulong FeatureGuestTso6 = 1UL << 8; // VIRTIO_NET_F_GUEST_TSO6
    public const ulong FeatureHostTso4 = 1UL << 11; // VIRTIO_NET_F_HOST_TSO4
    public const ulong FeatureHostTso6 = 1UL << 12; // VIRTIO_NET_F_HOST_TSO6
    public const ulong FeatureMac = 1UL << 5; // VIRTIO_NET_F_MAC
    public const ulong FeatureMrgRxbuf = 1UL << 15; // VIRTIO_NET_F_MRG_RXBUF: a frame may span several receive buffers (num_buffers)
    public const ulong FeatureStatus = 1UL << 16; // VIRTIO_NET_F_STATUS
    public const ulong FeatureCtrlVq = 1UL << 17; // VIRTIO_NET_F_CTRL_VQ: the control virtqueue (5.1.6.5)
    public const ulong FeatureCtrlRx = 1UL << 18; // VIRTIO_NET_F_CTRL_RX: promiscuous and all-multicast commands
    public const ulong FeatureCtrlVlan = 1UL << 19; // VIRTIO_NET_F_CTRL_VLAN: VLAN filter commands
    public const ulong FeatureMq = 1UL << 22; // VIRTIO_NET_F_MQ: several receive/transmit queue pairs
    public const ulong FeatureCtrlMacAddr = 1UL << 23; // VIRTIO_NET_F_CTRL_MAC_ADDR: the driver sets the MAC over the control queue

    /// <summary>
    /// The most queue pairs a device has: the transport's MSI-X table holds 512 vectors, one per queue (2N + the
    /// control queue) plus the configuration's, and the kernel's tun takes at most 256 queues (MAX_TAP_QUEUES).
    /// </summary>
    public const int MaxQueuePairs = 255;

    /// <summary>sizeof(struct virtio_net_hdr) with VIRTIO_F_VERSION_1: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers (5.1.6).</summary>
    public const int Size = 12;

    /// <summary>sizeof(struct virtio_net_hdr): the header without num_buffers (legacy drivers without MRG_RXBUF, 5.1.6.1).</summary>
    public const int LegacySize = 10;

    /// <summary>flags, gso_type, hdr_len, gso_size, csum_start, csum_offset: what an offload is described by.</summary>
    public const int OffloadFieldsSize = 10;

    /// <summary>Offset of num_buffers, which the device sets to 1 without VIRTIO_NET_F_MRG_RXBUF (5.1.6.3.1).</summary>
    public const int NumBuffersOffset = 10;

    /// <summary>The largest frame without segmentation offloads: 64 KiB plus an Ethernet header and a VLAN tag.</summary>
    public const int MaxFrame = 65536 + 14 + 4;

    // struct virtio_net_config (5.1.4): mac[6], status, max_virtqueue_pairs, mtu.
    public const int ConfigMacOffset = 0;
    public const int ConfigStatusOffset = 6;
    public const int ConfigMaxPairsOffset = 8;
    public const int ConfigMtuOffset = 10;
    public const int ConfigSize = 12;

    public const ushort StatusLinkUp = 1; // VIRTIO_NET_S_LINK_UP

    public const int ReceiveQueue = 0; // receiveq1
    public const int TransmitQueue = 1; // transmitq1
}
