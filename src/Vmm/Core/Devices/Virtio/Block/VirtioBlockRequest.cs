namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>virtio-blk request types, status values and feature bits (virtio 1.2, 5.2).</summary>
internal static class VirtioBlockRequest
{
    public const uint In = 0; // VIRTIO_BLK_T_IN
    public const uint Out = 1; // VIRTIO_BLK_T_OUT
    public const uint Flush = 4; // VIRTIO_BLK_T_FLUSH
    public const uint GetId = 8; // VIRTIO_BLK_T_GET_ID
    public const uint Discard = 11; // VIRTIO_BLK_T_DISCARD
    public const uint WriteZeroes = 13; // VIRTIO_BLK_T_WRITE_ZEROES

    public const byte StatusOk = 0; // VIRTIO_BLK_S_OK
    public const byte StatusIoError = 1; // VIRTIO_BLK_S_IOERR
    public const byte StatusUnsupported = 2; // VIRTIO_BLK_S_UNSUPP

    public const ulong FeatureSegMax = 1UL << 2; // VIRTIO_BLK_F_SEG_MAX
    public const ulong FeatureRo = 1UL << 5; // VIRTIO_BLK_F_RO
    public const ulong FeatureBlkSize = 1UL << 6; // VIRTIO_BLK_F_BLK_SIZE
    public const ulong FeatureFlush = 1UL << 9; // VIRTIO_BLK_F_FLUSH
    public const ulong FeatureMq = 1UL << 12; // VIRTIO_BLK_F_MQ
    public const ulong FeatureDiscard = 1UL << 13; // VIRTIO_BLK_F_DISCARD
    public const ulong FeatureWriteZeroes = 1UL << 14; // VIRTIO_BLK_F_WRITE_ZEROES

    public const int HeaderSize = 16; // struct virtio_blk_outhdr: le32 type, le32 reserved, le64 sector
    public const int SegmentSize = 16; // struct virtio_blk_discard_write_zeroes: le64 sector, le32 num_sectors, le32 flags
    public const uint FlagUnmap = 1; // VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP
    public const int IdBytes = 20; // VIRTIO_BLK_ID_BYTES
    public const int SectorSize = 512;

    /// <summary>The most discard or write-zeroes segments one request may carry (max_discard_seg, max_write_zeroes_seg).</summary>
    public const uint MaxRangeSegments = 32;

    /// <summary>The most sectors one discard or write-zeroes segment may cover (1 GiB).</summary>
    public const uint MaxRangeSectors = 1 << 21;
}
