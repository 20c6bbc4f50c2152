namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;devices&gt;</c>: the typed devices, in document order per kind.</summary>
public sealed record DevicesDef
{
    public string? Emulator { get; init; }

    public IReadOnlyList<DiskDef> Disks { get; init; } = [];

    public IReadOnlyList<ControllerDef> Controllers { get; init; } = [];

    public IReadOnlyList<InterfaceDef> Interfaces { get; init; } = [];

    /// <summary>serial, parallel, console and channel devices.</summary>
    public IReadOnlyList<ChardevDef> Chardevs { get; init; } = [];

    public IReadOnlyList<GraphicsDef> Graphics { get; init; } = [];

    public IReadOnlyList<VideoDef> Videos { get; init; } = [];

    public IReadOnlyList<InputDef> Inputs { get; init; } = [];

    public IReadOnlyList<SoundDef> Sounds { get; init; } = [];

    public IReadOnlyList<AudioDef> Audios { get; init; } = [];

    /// <summary>The memory balloon; null when not given (at most one).</summary>
    public MemballoonDef? Memballoon { get; init; }

    public IReadOnlyList<RngDef> Rngs { get; init; } = [];

    public IReadOnlyList<WatchdogDef> Watchdogs { get; init; } = [];

    public IReadOnlyList<PanicDef> Panics { get; init; } = [];

    public IReadOnlyList<FilesystemDef> Filesystems { get; init; } = [];

    public IReadOnlyList<HostdevDef> Hostdevs { get; init; } = [];

    /// <summary>At most two: a TPM and a TPM proxy.</summary>
    public IReadOnlyList<TpmDef> Tpms { get; init; } = [];

    /// <summary>The vsock device; null when not given (at most one).</summary>
    public VsockDef? Vsock { get; init; }

    /// <summary>The IOMMU; null when not given (at most one).</summary>
    public IommuDef? Iommu { get; init; }

    /// <summary>Devices of every other kind (hub, shmem, memory, nvram, ...), by element name; kept verbatim in the document.</summary>
    public IReadOnlyList<string> OtherKinds { get; init; } = [];
}
