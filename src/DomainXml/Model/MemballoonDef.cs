namespace Kvm.DomainXml.Model;

public enum MemballoonModel
{
    Virtio,
    Xen,
    None,
    VirtioTransitional,
    VirtioNonTransitional,
}

/// <summary><c>&lt;memballoon model autodeflate freePageReporting&gt;&lt;stats period/&gt;</c>.</summary>
public sealed record MemballoonDef
{
    public required MemballoonModel Model { get; init; }

    /// <summary>Deflate the balloon when the guest runs out of memory.</summary>
    public bool? Autodeflate { get; init; }

    public bool? FreePageReporting { get; init; }

    /// <summary>The statistics polling period in seconds; a negative period reads as 0 (off), as in libvirt.</summary>
    public int? StatsPeriod { get; init; }

    /// <summary>The device's <c>&lt;address type='pci'&gt;</c>, when it has one.</summary>
    public HostPciAddress? PciAddress { get; init; }
}
