namespace Kvm.Vmm.Devices.Virtio.Vsock;

/// <summary>The device configuration of virtio-vsock (virtio 1.2, 5.10.4): the guest's 64-bit context id, little-endian.</summary>
public static class VirtioVsockConfig
{
    public const ushort DeviceType = 19; // virtio 1.2, 5: socket device
    public const int Size = 8; // struct virtio_vsock_config { le64 guest_cid; }
    public const int RxQueue = 0; // 5.10.2: rx, tx, event
    public const int TxQueue = 1;
    public const int EventQueue = 2;
    public const ulong FeatureStream = 1UL << 0; // 5.10.3 VIRTIO_VSOCK_F_STREAM (virtio 1.2; Linux offers it only implicitly)
    public const ulong FeatureSeqPacket = 1UL << 1; // 5.10.3 VIRTIO_VSOCK_F_SEQPACKET
}
