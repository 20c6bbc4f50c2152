namespace Kvm.Vmm.Block;

/// <summary>How a block request ended; virtio-blk maps it onto VIRTIO_BLK_S_OK, _IOERR and _UNSUPP.</summary>
public enum BlockStatus
{
    Ok,

    /// <summary>The host file failed (EIO, ENOSPC, ...), or the image's metadata is corrupt at the place asked for.</summary>
    IoError,

    /// <summary>The range is not inside the disk.</summary>
    OutOfRange,

    /// <summary>The disk is read-only, or the operation is not available on this image.</summary>
    Unsupported,
}
