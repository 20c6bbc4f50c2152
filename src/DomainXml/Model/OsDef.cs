namespace Kvm.DomainXml.Model;

public enum BootDevice
{
    Floppy,
    Cdrom,
    HardDisk,
    Network,
}

/// <summary><c>&lt;os&gt;</c>: the guest OS type, its firmware and how it boots.</summary>
public sealed record OsDef
{
    /// <summary>hvm, linux (Xen PV), exe (containers), ...</summary>
    public required string Type { get; init; }

    public string? Arch { get; init; }

    public string? Machine { get; init; }

    public string? Firmware { get; init; }

    public string? Loader { get; init; }

    public string? Nvram { get; init; }

    public string? Kernel { get; init; }

    public string? Initrd { get; init; }

    public string? Cmdline { get; init; }

    public string? Dtb { get; init; }

    public IReadOnlyList<BootDevice> BootOrder { get; init; } = [];

    public bool? BootMenu { get; init; }

    public string? SmbiosMode { get; init; }
}
