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

    /// <summary>The firmware image path as written (the text of <c>&lt;loader&gt;</c>); see <see cref="LoaderDetails"/>.</summary>
    public string? Loader { get; init; }

    /// <summary>The NVRAM path as written (the text of <c>&lt;nvram&gt;</c>); see <see cref="NvramDetails"/>.</summary>
    public string? Nvram { get; init; }

    /// <summary>The typed <c>&lt;loader&gt;</c>: path, readonly, type, secure, stateless.</summary>
    public OsLoaderDef? LoaderDetails { get; init; }

    /// <summary>The typed <c>&lt;nvram&gt;</c>: path, template, storage type.</summary>
    public OsNvramDef? NvramDetails { get; init; }

    public string? Kernel { get; init; }

    public string? Initrd { get; init; }

    public string? Cmdline { get; init; }

    public string? Dtb { get; init; }

    public IReadOnlyList<BootDevice> BootOrder { get; init; } = [];

    public bool? BootMenu { get; init; }

    /// <summary>The boot menu timeout in milliseconds; read, as in libvirt, only when the menu is enabled.</summary>
    public uint? BootMenuTimeout { get; init; }

    /// <summary>
    /// <c>&lt;bios rebootTimeout&gt;</c>: milliseconds the BIOS waits before trying again when nothing booted; -1 never
    /// (QEMU's <c>-boot reboot-timeout</c>); null when absent.
    /// </summary>
    public int? BiosRebootTimeout { get; init; }

    /// <summary>none, emulate, host or sysinfo (<c>&lt;smbios mode&gt;</c>).</summary>
    public string? SmbiosMode { get; init; }
}
