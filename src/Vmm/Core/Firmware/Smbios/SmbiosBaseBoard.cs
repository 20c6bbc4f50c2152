namespace Kvm.Vmm.Firmware.Smbios;

/// <summary>One SMBIOS type 2 structure (libvirt's <c>&lt;baseBoard&gt;</c>); null fields take kvm-vmm's defaults.</summary>
public sealed record SmbiosBaseBoard
{
    public string? Manufacturer { get; init; }

    public string? Product { get; init; }

    public string? Version { get; init; }

    public string? Serial { get; init; }

    public string? Asset { get; init; }

    public string? Location { get; init; }
}
