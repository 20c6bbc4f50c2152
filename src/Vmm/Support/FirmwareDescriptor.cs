namespace Kvm.Vmm.Support;

/// <summary>
/// One of QEMU's firmware descriptors (docs/interop/firmware.json; Debian's ovmf ships them in
/// /usr/share/qemu/firmware): what a firmware image is, where it goes and what it needs, as libvirt reads them.
/// </summary>
public sealed record FirmwareDescriptor
{
    /// <summary>The file the descriptor came from.</summary>
    public required string Source { get; init; }

    /// <summary>"uefi", "bios", ...</summary>
    public required IReadOnlyList<string> InterfaceTypes { get; init; }

    /// <summary>How the image is mapped: "flash" (pflash), "memory" (a ROM) or "kernel".</summary>
    public required string Device { get; init; }

    /// <summary>The firmware image (flash: the code).</summary>
    public required string Executable { get; init; }

    /// <summary>The variable store template of a flash firmware; null when it has none.</summary>
    public string? NvramTemplate { get; init; }

    /// <summary>(architecture, machine glob) pairs the firmware runs on, e.g. ("x86_64", "pc-q35-*").</summary>
    public required IReadOnlyList<(string Architecture, string Machine)> Targets { get; init; }

    /// <summary>"secure-boot", "requires-smm", "enrolled-keys", "acpi-s3", "amd-sev", ...</summary>
    public required IReadOnlyList<string> Features { get; init; }
}
