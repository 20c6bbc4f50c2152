namespace Kvm.Vmm.Net;

/// <summary>
/// A tap backend as the XML asks for it: its name (null: the first free vnetN), whether kvm-vmm creates and sets it up
/// (managed) or opens one that exists, the bridge it joins, its MTU and the guest's MAC (the tap gets the same address
/// with 0xfe as first byte, as libvirt gives it, so that a bridge never takes the guest's address as its own).
/// </summary>
public sealed record TapOptions
{
    public string? Name { get; init; }

    /// <summary>False for <c>&lt;target managed='no'&gt;</c>: the tap must exist and is used as it is.</summary>
    public bool Managed { get; init; } = true;

    /// <summary>An existing Linux bridge the new tap is added to (<c>type='bridge'</c>).</summary>
    public string? Bridge { get; init; }

    public int? Mtu { get; init; }

    public byte[]? GuestMac { get; init; }
}
