namespace Kvm.Vmm.Net;

/// <summary>
/// Offloads the frames a backend hands the guest may carry, as its virtio_net_hdr describes them: a checksum left to
/// complete (NEEDS_CSUM), TCP segmentation over IPv4 or IPv6 (TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6).
/// </summary>
[Flags]
public enum NetOffloads
{
    None = 0,
    Checksum = 1,
    Tso4 = 2,
    Tso6 = 4,
}
