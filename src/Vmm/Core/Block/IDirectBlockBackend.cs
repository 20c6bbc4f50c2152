namespace Kvm.Vmm.Block;

/// <summary>
/// A backend that can say where a range of the disk lies in one host file opened with O_DIRECT, so that a device can
/// read or write it there asynchronously (Linux AIO) without a thread per request. Everything else (a range that is
/// unallocated, zero, compressed, shared with a backing image, or a file without O_DIRECT, whose AIO would block) is
/// declined and goes through the backend's own calls.
/// </summary>
internal interface IDirectBlockBackend
{
    /// <summary>
    /// Fills <paramref name="extents"/> with where the <paramref name="length"/> bytes at <paramref name="offset"/> are
    /// stored, in order, in <paramref name="file"/> (each extent a run of the range that lies in one place) and returns
    /// how many; 0 when any part cannot be read (or, for a <paramref name="write"/>, overwritten in place) there, or it
    /// takes more extents than given. The mapping stays valid while the request is in flight: clusters are never moved
    /// or reused while mapped (a qcow2 image only appends; a discarded cluster is leaked, not reused).
    /// </summary>
    int TryMapDirect(ulong offset, ulong length, bool write, Span<DirectExtent> extents, out ImageFile file);
}

/// <summary>A run of a request's range stored in one place of the image file: its length and where it lies there.</summary>
internal readonly record struct DirectExtent(ulong HostOffset, ulong Length);
