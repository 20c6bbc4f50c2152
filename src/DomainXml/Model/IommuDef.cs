namespace Kvm.DomainXml.Model;

public enum IommuModel
{
    Intel,
    Smmuv3,
    Virtio,
}

/// <summary><c>&lt;iommu model&gt;&lt;driver intremap caching_mode eim iotlb aw_bits dma_translation/&gt;</c>.</summary>
public sealed record IommuDef
{
    public required IommuModel Model { get; init; }

    /// <summary>Interrupt remapping.</summary>
    public bool? IntRemap { get; init; }

    public bool? CachingMode { get; init; }

    /// <summary>Extended interrupt mode.</summary>
    public bool? Eim { get; init; }

    /// <summary>The device IOTLB.</summary>
    public bool? Iotlb { get; init; }

    /// <summary>The guest address width in bits.</summary>
    public uint? AwBits { get; init; }

    public bool? DmaTranslation { get; init; }
}
