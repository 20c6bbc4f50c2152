namespace Kvm.DomainXml.Model;

public enum RngModel
{
    Virtio,
    VirtioTransitional,
    VirtioNonTransitional,
}

/// <summary>Where the entropy comes from (<c>&lt;backend model&gt;</c>).</summary>
public enum RngBackendModel
{
    /// <summary>A host random device (<c>/dev/random</c>, <c>/dev/urandom</c>, ...).</summary>
    Random,

    /// <summary>An entropy-gathering daemon behind a character device.</summary>
    Egd,

    /// <summary>The hypervisor's own generator.</summary>
    Builtin,
}

/// <summary><c>&lt;rng model&gt;&lt;rate bytes period/&gt;&lt;backend model&gt;...&lt;/backend&gt;&lt;/rng&gt;</c>.</summary>
public sealed record RngDef
{
    public required RngModel Model { get; init; }

    public required RngBackendModel Backend { get; init; }

    /// <summary>The host device of a random backend (the text of <c>&lt;backend&gt;</c>); null when not given.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The character device of an egd backend.</summary>
    public ChardevSource? SourceChardev { get; init; }

    /// <summary>The rate limit: bytes per <see cref="RatePeriod"/> milliseconds.</summary>
    public uint? RateBytes { get; init; }

    public uint? RatePeriod { get; init; }

    /// <summary>The device's <c>&lt;address type='pci'&gt;</c>, when it names one.</summary>
    public HostPciAddress? PciAddress { get; init; }
}
