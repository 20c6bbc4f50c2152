namespace Kvm.DomainXml.Model;

public enum VsockModel
{
    Default,
    Virtio,
    VirtioTransitional,
    VirtioNonTransitional,
}

/// <summary><c>&lt;vsock model&gt;&lt;cid auto address/&gt;</c>: a host-guest socket device and the guest's context id.</summary>
public sealed record VsockDef
{
    public VsockModel Model { get; init; } = VsockModel.Default;

    /// <summary>Whether the context id is picked when the domain starts.</summary>
    public bool? AutoCid { get; init; }

    /// <summary>The guest's context id; null when not given.</summary>
    public uint? Cid { get; init; }
}
