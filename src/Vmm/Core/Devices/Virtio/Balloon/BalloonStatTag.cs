namespace Kvm.Vmm.Devices.Virtio.Balloon;

/// <summary>The tags of the guest's memory statistics (virtio 1.2, 5.5.6.3 "Memory Statistics Tags"), QEMU 7.2's ten.</summary>
public enum BalloonStatTag : ushort
{
    SwapIn = 0, // VIRTIO_BALLOON_S_SWAP_IN: bytes swapped in
    SwapOut = 1, // VIRTIO_BALLOON_S_SWAP_OUT: bytes swapped out
    MajorFaults = 2, // VIRTIO_BALLOON_S_MAJFLT
    MinorFaults = 3, // VIRTIO_BALLOON_S_MINFLT
    FreeMemory = 4, // VIRTIO_BALLOON_S_MEMFREE: bytes unused
    TotalMemory = 5, // VIRTIO_BALLOON_S_MEMTOT: bytes the guest has
    AvailableMemory = 6, // VIRTIO_BALLOON_S_AVAIL: bytes available without swapping
    DiskCaches = 7, // VIRTIO_BALLOON_S_CACHES: bytes of page cache it could drop
    HugetlbAllocations = 8, // VIRTIO_BALLOON_S_HTLB_PGALLOC
    HugetlbFailures = 9, // VIRTIO_BALLOON_S_HTLB_PGFAIL
}
