namespace Kvm.Vmm.Machine;

/// <summary>
/// What QMP reports about a disk beyond its device and image, filled by whoever made the configuration (the domain XML
/// launcher): the device id and block node names libvirt would have given QEMU, and the image's cache mode.
/// </summary>
public sealed record DiskMonitorInfo
{
    /// <summary>The device's id (libvirt's alias, e.g. "virtio-disk0").</summary>
    public required string DeviceId { get; init; }

    /// <summary>
    /// libvirt's index of the top image: its nodes are libvirt-N-format and libvirt-N-storage, the backing images' nodes
    /// N+1, N+2, ... down the chain.
    /// </summary>
    public required int NodeIndex { get; init; }

    /// <summary>O_DIRECT (cache='none' or 'directsync').</summary>
    public bool Direct { get; init; }

    /// <summary>Flushes are ignored (cache='unsafe').</summary>
    public bool NoFlush { get; init; }
}
