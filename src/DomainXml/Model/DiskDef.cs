namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;disk type device&gt;</c> with its source, driver and target.</summary>
public sealed record DiskDef
{
    /// <summary>file, block, network, volume, dir, nvme, vhostuser.</summary>
    public required string Type { get; init; }

    /// <summary>disk, cdrom, floppy, lun.</summary>
    public string Device { get; init; } = "disk";

    /// <summary>The file or block device path, the network name, or the volume.</summary>
    public string? Source { get; init; }

    public string? SourceProtocol { get; init; }

    public string? DriverName { get; init; }

    public string? DriverType { get; init; }

    public string? Cache { get; init; }

    public string? Io { get; init; }

    public required string TargetDev { get; init; }

    public string? TargetBus { get; init; }

    public bool ReadOnly { get; init; }

    public bool Shareable { get; init; }

    public string? Serial { get; init; }

    public uint? BootOrder { get; init; }

    /// <summary><c>&lt;driver discard&gt;</c>: unmap or ignore.</summary>
    public string? Discard { get; init; }

    /// <summary><c>&lt;driver queues&gt;</c>: virtio-blk request queues.</summary>
    public uint? Queues { get; init; }

    /// <summary>The device's <c>&lt;address type='pci'&gt;</c>, when it names one.</summary>
    public HostPciAddress? PciAddress { get; init; }

    /// <summary>
    /// The <c>&lt;backingStore&gt;</c> chain, top-down: null when the XML gives none (the image's header decides), empty
    /// when it says there is no backing image (<c>&lt;backingStore/&gt;</c>).
    /// </summary>
    public IReadOnlyList<DiskBackingDef>? BackingChain { get; init; }
}
