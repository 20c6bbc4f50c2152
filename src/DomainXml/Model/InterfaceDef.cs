namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;interface type&gt;</c>: network, bridge, ethernet, user, direct, ...</summary>
public sealed record InterfaceDef
{
    public required string Type { get; init; }

    /// <summary>The MAC address as libvirt writes it (lower-case, colon-separated); null until post-parse.</summary>
    public string? Mac { get; init; }

    /// <summary>The network, bridge or device name the interface attaches to.</summary>
    public string? Source { get; init; }

    public string? Model { get; init; }

    public string? TargetDev { get; init; }
}
