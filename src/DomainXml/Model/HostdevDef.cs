namespace Kvm.DomainXml.Model;

public enum HostdevMode
{
    Subsystem,
    Capabilities,
}

/// <summary>The kind of host device: usb, pci, scsi, scsi_host, mdev (subsystem mode); storage, misc, net (capabilities).</summary>
public enum HostdevType
{
    Usb,
    Pci,
    Scsi,
    ScsiHost,
    Mdev,
    Storage,
    Misc,
    Net,
}

/// <summary><c>&lt;hostdev mode type managed&gt;</c>: a host device assigned to the guest.</summary>
public sealed record HostdevDef
{
    /// <summary>subsystem when not given.</summary>
    public HostdevMode Mode { get; init; } = HostdevMode.Subsystem;

    public required HostdevType Type { get; init; }

    /// <summary>Whether the device is detached from its host driver and reattached around the guest's life.</summary>
    public bool Managed { get; init; }

    /// <summary>The host address of a PCI device (<c>source/address</c>); null when not given.</summary>
    public HostPciAddress? PciAddress { get; init; }

    /// <summary>The UUID of a mediated device (<c>source/address/@uuid</c>).</summary>
    public Guid? MdevUuid { get; init; }
}
