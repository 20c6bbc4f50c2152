namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;disk type device&gt;</c> with its source, driver and target.</summary>
public sealed record DiskDef
{
    /// <summary>file, block, network, volume, dir, nvme, vhostuser.</summary>
    public required string Type { get; init; }

    /// <summary>disk, cdrom, floppy, lun.</summary>
    public string Device { get; init; } = "disk";

    /// <summary>The file or block device path, the network name, or the volume.</summary>
    public string? Source { get; init; }

    public string? SourceProtocol { get; init; }

    public string? DriverName { get; init; }

    public string? DriverType { get; init; }

    public string? Cache { get; init; }

    public string? Io { get; init; }

    public required string TargetDev { get; init; }

    public string? TargetBus { get; init; }

    public bool ReadOnly { get; init; }

    public bool Shareable { get; init; }

    public string? Serial { get; init; }

    public uint? BootOrder { get; init; }
}
