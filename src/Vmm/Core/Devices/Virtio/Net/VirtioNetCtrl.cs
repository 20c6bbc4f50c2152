namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// The control virtqueue's wire format (virtio 1.2, 5.1.6.5): each request is <c>u8 class; u8 command;</c> then the
/// command's data, all device-readable, followed by one device-writable <c>u8 ack</c>.
/// </summary>
public static class VirtioNetCtrl
{
    public const byte Ok = 0; // VIRTIO_NET_OK
    public const byte Err = 1; // VIRTIO_NET_ERR

    public const byte ClassRx = 0; // VIRTIO_NET_CTRL_RX (5.1.6.5.1)
    public const byte RxPromisc = 0; // VIRTIO_NET_CTRL_RX_PROMISC
    public const byte RxAllMulti = 1; // VIRTIO_NET_CTRL_RX_ALLMULTI

    public const byte ClassMac = 1; // VIRTIO_NET_CTRL_MAC (5.1.6.5.2)
    public const byte MacTableSet = 0; // VIRTIO_NET_CTRL_MAC_TABLE_SET
    public const byte MacAddrSet = 1; // VIRTIO_NET_CTRL_MAC_ADDR_SET

    public const byte ClassVlan = 2; // VIRTIO_NET_CTRL_VLAN (5.1.6.5.3)
    public const byte VlanAdd = 0; // VIRTIO_NET_CTRL_VLAN_ADD
    public const byte VlanDel = 1; // VIRTIO_NET_CTRL_VLAN_DEL

    public const byte ClassMq = 4; // VIRTIO_NET_CTRL_MQ (5.1.6.5.5)
    public const byte MqVqPairsSet = 0; // VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET

    /// <summary>The header before a command's data: class and command.</summary>
    public const int HeaderSize = 2;

    /// <summary>
    /// The largest request taken (larger ones are answered ERR): a MAC filter table of 2 x (4 + 6 x 5000) bytes, more
    /// addresses than a Linux driver sends before it falls back to promiscuous or all-multicast mode.
    /// </summary>
    public const int MaxRequest = 64 * 1024;

    public const int VlanIds = 4096; // a VLAN id is 12 bits

    /// <summary>The addresses QEMU's filter table holds (MAC_TABLE_ENTRIES); a MAC_TABLE_SET with more overflows it.</summary>
    public const int MacTableEntries = 64;
}
