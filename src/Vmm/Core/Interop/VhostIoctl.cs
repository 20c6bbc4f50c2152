namespace Kvm.Vmm.Interop;

/// <summary>
/// vhost's ioctl request numbers (linux/vhost.h, VHOST_VIRTIO = 0xAF), encoded as the kernel's _IOC: direction in bits
/// 30-31 (_IOW = 1, _IOR = 2, _IOWR = 3), argument size in bits 16-29, type in bits 8-15, number in bits 0-7. Worked out:
/// <list type="bullet">
/// <item>VHOST_GET_FEATURES = _IOR(0xAF, 0x00, __u64) = 2&lt;&lt;30 | 8&lt;&lt;16 | 0xAF&lt;&lt;8 | 0x00 = 0x8008AF00</item>
/// <item>VHOST_SET_FEATURES = _IOW(0xAF, 0x00, __u64) = 1&lt;&lt;30 | 8&lt;&lt;16 | 0xAF00 = 0x4008AF00</item>
/// <item>VHOST_SET_OWNER = _IO(0xAF, 0x01) = 0xAF01; VHOST_RESET_OWNER = _IO(0xAF, 0x02) = 0xAF02</item>
/// <item>VHOST_SET_MEM_TABLE = _IOW(0xAF, 0x03, struct vhost_memory: 8 bytes, the regions follow) = 0x4008AF03</item>
/// <item>VHOST_SET_VRING_NUM = _IOW(0xAF, 0x10, struct vhost_vring_state: 8) = 0x4008AF10</item>
/// <item>VHOST_SET_VRING_ADDR = _IOW(0xAF, 0x11, struct vhost_vring_addr: 40 = 0x28) = 0x4028AF11</item>
/// <item>VHOST_SET_VRING_BASE = _IOW(0xAF, 0x12, vhost_vring_state) = 0x4008AF12; VHOST_GET_VRING_BASE = _IOWR(...) = 0xC008AF12</item>
/// <item>VHOST_SET_VRING_KICK/CALL/ERR = _IOW(0xAF, 0x20/0x21/0x22, struct vhost_vring_file: 8) = 0x4008AF20/21/22</item>
/// <item>VHOST_NET_SET_BACKEND = _IOW(0xAF, 0x30, vhost_vring_file) = 0x4008AF30</item>
/// <item>VHOST_VSOCK_SET_GUEST_CID = _IOW(0xAF, 0x60, __u64) = 0x4008AF60; VHOST_VSOCK_SET_RUNNING = _IOW(0xAF, 0x61, int) = 0x4004AF61</item>
/// </list>
/// </summary>
internal static class VhostIoctl
{
    private const uint VhostVirtio = 0xAF;
    private const uint Write = 1;
    private const uint Read = 2;

    public static readonly nuint GetFeatures = Ioc(Read, 0x00, sizeof(ulong));
    public static readonly nuint SetFeatures = Ioc(Write, 0x00, sizeof(ulong));
    public static readonly nuint SetOwner = Ioc(0, 0x01, 0);
    public static readonly nuint ResetOwner = Ioc(0, 0x02, 0);
    public static readonly nuint SetMemTable = Ioc(Write, 0x03, VhostMemoryHeader.Size);
    public static readonly nuint SetVringNum = Ioc(Write, 0x10, VhostVringState.Size);
    public static readonly nuint SetVringAddr = Ioc(Write, 0x11, VhostVringAddr.Size);
    public static readonly nuint SetVringBase = Ioc(Write, 0x12, VhostVringState.Size);
    public static readonly nuint GetVringBase = Ioc(Read | Write, 0x12, VhostVringState.Size);
    public static readonly nuint SetVringKick = Ioc(Write, 0x20, VhostVringFile.Size);
    public static readonly nuint SetVringCall = Ioc(Write, 0x21, VhostVringFile.Size);
    public static readonly nuint SetVringErr = Ioc(Write, 0x22, VhostVringFile.Size);
    public static readonly nuint NetSetBackend = Ioc(Write, 0x30, VhostVringFile.Size);
    public static readonly nuint VsockSetGuestCid = Ioc(Write, 0x60, sizeof(ulong));
    public static readonly nuint VsockSetRunning = Ioc(Write, 0x61, sizeof(int));

    private static nuint Ioc(uint direction, uint number, int size) =>
        (nuint)((direction << 30) | ((uint)size << 16) | (VhostVirtio << 8) | number);
}
