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

    /// <summary>Devices of every other kind (input, rng, tpm, ...), by element name; kept verbatim in the document.</summary>
    public IReadOnlyList<string> OtherKinds { get; init; } = [];
}
