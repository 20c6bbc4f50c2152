namespace Kvm.Vmm.Block;

/// <summary>What a guest cluster of a qcow2 image maps to.</summary>
internal enum ClusterKind
{
    /// <summary>Not allocated here: the backing image's data, or zeroes.</summary>
    Unallocated,

    /// <summary>Reads as zeroes (v3 zero flag), with or without a preallocated host cluster.</summary>
    Zero,

    Data,

    Compressed,

    /// <summary>The metadata on the way is invalid (unaligned table, reserved bits): the request fails.</summary>
    Corrupt,
}

/// <summary>A guest cluster's L2 entry decoded: its kind, host cluster, whether this image owns it alone (COPIED).</summary>
internal readonly record struct ClusterMapping(ClusterKind Kind, ulong HostOffset, ulong Entry, bool Owned);
