namespace Kvm.DomainXml.Model;

/// <summary>The typed view of a domain definition: the parts that matter most in practice.</summary>
public sealed record DomainDef
{
    /// <summary>The hypervisor type (<c>domain/@type</c>): kvm, qemu, ...</summary>
    public required string VirtType { get; init; }

    /// <summary>The live domain id; absent for inactive definitions.</summary>
    public int? Id { get; init; }

    public required string Name { get; init; }

    public required Guid Uuid { get; init; }

    /// <summary>The VM generation id, when requested; <see cref="Guid.Empty"/> means "generate one".</summary>
    public Guid? Genid { get; init; }

    public string? Title { get; init; }

    public string? Description { get; init; }

    public required MemoryDef Memory { get; init; }

    public required VcpuDef Vcpu { get; init; }

    public required OsDef Os { get; init; }

    public FeaturesDef Features { get; init; } = FeaturesDef.None;

    /// <summary>The guest CPU (<c>&lt;cpu&gt;</c>); null when not given.</summary>
    public CpuDef? Cpu { get; init; }

    public ClockDef Clock { get; init; } = ClockDef.Default;

    public PmDef Pm { get; init; } = PmDef.Default;

    public required LifecycleDef Lifecycle { get; init; }

    public required DevicesDef Devices { get; init; }

    /// <summary>The fw_cfg entries of <c>&lt;sysinfo type='fwcfg'&gt;</c>, in document order.</summary>
    public IReadOnlyList<FwCfgEntryDef> FwCfgEntries { get; init; } = [];

    /// <summary>The first <c>&lt;sysinfo type='smbios'&gt;</c>; null when there is none.</summary>
    public SmbiosSysinfoDef? Smbios { get; init; }
}
