namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;interface type&gt;</c>: network, bridge, ethernet, user, direct, ...</summary>
public sealed record InterfaceDef
{
    public required string Type { get; init; }

    /// <summary>The MAC address as libvirt writes it (lower-case, colon-separated); null until post-parse.</summary>
    public string? Mac { get; init; }

    /// <summary>The network, bridge or device name the interface attaches to.</summary>
    public string? Source { get; init; }

    /// <summary><c>&lt;source network bridge&gt;</c> of a network interface: the running network's bridge, which the live definition records.</summary>
    public string? SourceBridge { get; init; }

    public string? Model { get; init; }

    public string? TargetDev { get; init; }

    /// <summary><c>&lt;target managed='no'&gt;</c>: the tap exists and is used as it is (ethernet only).</summary>
    public bool TargetUnmanaged { get; init; }

    /// <summary><c>&lt;mtu size&gt;</c>: the MTU of the host side and, for virtio, the one the guest is advised.</summary>
    public uint? Mtu { get; init; }

    /// <summary><c>&lt;link state='up'|'down'&gt;</c>; null means up.</summary>
    public string? LinkState { get; init; }

    /// <summary><c>&lt;script path&gt;</c>: a script run on the host side when the interface is set up.</summary>
    public string? Script { get; init; }

    /// <summary><c>&lt;driver name&gt;</c>: 'vhost' (kernel datapath) or 'qemu' (the VMM's own); null: vhost when available.</summary>
    public string? DriverName { get; init; }

    /// <summary><c>&lt;driver queues&gt;</c>: the number of queue pairs (multiqueue).</summary>
    public uint? Queues { get; init; }

    /// <summary><c>&lt;backend type&gt;</c>: 'passt' or 'default' for a user-mode interface; null when absent.</summary>
    public string? BackendType { get; init; }

    /// <summary><c>&lt;backend logFile&gt;</c>: where passt logs.</summary>
    public string? BackendLogFile { get; init; }

    /// <summary>The guest-side addresses (<c>&lt;ip&gt;</c> directly under the interface), in document order.</summary>
    public IReadOnlyList<GuestIpDef> Ips { get; init; } = [];

    /// <summary>The <c>&lt;portForward&gt;</c> elements, in document order.</summary>
    public IReadOnlyList<PortForwardDef> PortForwards { get; init; } = [];

    /// <summary>The interface's <c>&lt;address type='pci'&gt;</c>, if any.</summary>
    public HostPciAddress? PciAddress { get; init; }
}
