namespace Kvm.Vmm.Devices.Virtio;

/// <summary>Split virtqueue wire layout and flags (virtio 1.2 §2.7, "Split Virtqueues").</summary>
internal static class VirtqueueLayout
{
    public const ushort MaxQueueSize = 32768; // §2.7: Queue Size is a power of 2, at most 32768

    public const ulong DescriptorSize = 16; // §2.7.5 struct virtq_desc { le64 addr; le32 len; le16 flags; le16 next; }
    public const ulong DescriptorAlignment = 16; // §2.7 table "Virtqueue Part Alignment"
    public const ulong AvailableAlignment = 2;
    public const ulong UsedAlignment = 4;

    public const ulong DescAddrOffset = 0;
    public const ulong DescLenOffset = 8;
    public const ulong DescFlagsOffset = 12;
    public const ulong DescNextOffset = 14;

    public const ushort DescFlagNext = 1; // §2.7.5 VIRTQ_DESC_F_NEXT
    public const ushort DescFlagWrite = 2; // §2.7.5 VIRTQ_DESC_F_WRITE
    public const ushort DescFlagIndirect = 4; // §2.7.5 VIRTQ_DESC_F_INDIRECT

    public const ulong AvailFlagsOffset = 0; // §2.7.6 struct virtq_avail { le16 flags; le16 idx; le16 ring[]; le16 used_event; }
    public const ulong AvailIdxOffset = 2;
    public const ulong AvailRingOffset = 4;
    public const ushort AvailFlagNoInterrupt = 1; // §2.7.6 VIRTQ_AVAIL_F_NO_INTERRUPT

    public const ulong UsedFlagsOffset = 0; // §2.7.8 struct virtq_used { le16 flags; le16 idx; virtq_used_elem ring[]; le16 avail_event; }
    public const ulong UsedIdxOffset = 2;
    public const ulong UsedRingOffset = 4;
    public const ulong UsedElementSize = 8; // struct virtq_used_elem { le32 id; le32 len; }
    public const ushort UsedFlagNoNotify = 1; // §2.7.8 VIRTQ_USED_F_NO_NOTIFY

    /// <summary>
    /// Most entries an indirect table may hold when it exceeds the queue size. The spec bounds a chain by the queue
    /// size, but Linux's driver builds indirect tables of up to its scatter-gather count whatever the queue size
    /// (virtio_ring.c only warns when a chain exceeds the ring without indirect descriptors), and QEMU accepts up to
    /// 1024 (VIRTQUEUE_MAX_SIZE): so an indirect table may hold max(queue size, 1024) entries, still a hard bound.
    /// </summary>
    public const int IndirectEntriesFloor = 1024;

    /// <summary>§2.7.5: "Drivers MUST NOT add a descriptor chain longer than 2^32 bytes in total".</summary>
    public const ulong MaxChainBytes = 1UL << 32;

    public static ulong DescriptorTableBytes(ushort size) => DescriptorSize * size;

    public static ulong AvailableRingBytes(ushort size) => 6 + 2UL * size; // flags, idx, ring[size], used_event

    public static ulong UsedRingBytes(ushort size) => 6 + UsedElementSize * size; // flags, idx, ring[size], avail_event

    public static int IndirectEntryLimit(ushort size) => Math.Max((int)size, IndirectEntriesFloor);

    /// <summary>Segments one chain can hold for a queue of at most maxSize: a direct chain plus one indirect table.</summary>
    public static int ChainCapacity(ushort maxSize) => maxSize + IndirectEntryLimit(maxSize);

    /// <summary>§2.7.10 vring_need_event: whether moving used idx from oldIdx to newIdx crossed eventIdx.</summary>
    public static bool NeedEvent(ushort eventIdx, ushort newIdx, ushort oldIdx) =>
        (ushort)(newIdx - eventIdx - 1) < (ushort)(newIdx - oldIdx);
}
