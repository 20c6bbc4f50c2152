namespace Kvm.Vmm.Block;

/// <summary>How to open one disk: the image, its format, its backing chain as the XML gives it, and the cache mode.</summary>
public sealed record BlockOpenOptions
{
    public required string Path { get; init; }

    public required ImageFormat Format { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>O_DIRECT on every image file of the chain (cache='none' or 'directsync').</summary>
    public bool Direct { get; init; }

    /// <summary>Flush is a no-op (cache='unsafe').</summary>
    public bool IgnoreFlush { get; init; }

    /// <summary>discard='unmap': discards punch holes (raw) or free clusters (qcow2).</summary>
    public bool DiscardUnmap { get; init; }

    /// <summary>
    /// The backing chain from the XML's <c>&lt;backingStore&gt;</c>, top-down (the image's backing file first). Null:
    /// take the chain from the image headers, as QEMU does. An empty list: the XML says there is no backing file.
    /// </summary>
    public IReadOnlyList<BackingImage>? Backing { get; init; }

    /// <summary>Take QEMU's OFD image locks, so two VMs (ours or QEMU's) cannot write one image. <c>&lt;shareable/&gt;</c> turns the exclusive lock off.</summary>
    public bool Shareable { get; init; }
}

/// <summary>One image of a backing chain: its file and format.</summary>
public sealed record BackingImage(string Path, ImageFormat Format);
