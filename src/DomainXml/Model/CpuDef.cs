namespace Kvm.DomainXml.Model;

public enum CpuMode
{
    Custom,
    HostModel,
    HostPassthrough,
    Maximum,
}

public enum CpuMatch
{
    Exact,
    Minimum,
    Strict,
}

public enum CpuCheck
{
    Default,
    None,
    Partial,
    Full,
}

/// <summary>Whether the hypervisor may pick another model when the named one cannot be provided.</summary>
public enum CpuFallback
{
    Allow,
    Forbid,
}

/// <summary><c>&lt;cpu&gt;</c>: the guest CPU model, its topology and features, and the guest NUMA cells.</summary>
public sealed record CpuDef
{
    public CpuMode Mode { get; init; } = CpuMode.Custom;

    public CpuMatch? Match { get; init; }

    public CpuCheck Check { get; init; } = CpuCheck.Default;

    /// <summary>Whether a host-passthrough or maximum CPU leaves out features that block migration.</summary>
    public bool? Migratable { get; init; }

    /// <summary>The CPU model name (<c>&lt;model&gt;</c>).</summary>
    public string? Model { get; init; }

    /// <summary><c>&lt;model fallback&gt;</c>; read for custom and host-model CPUs.</summary>
    public CpuFallback? Fallback { get; init; }

    /// <summary><c>&lt;model vendor_id&gt;</c>: the 12-character vendor id the guest sees.</summary>
    public string? VendorId { get; init; }

    /// <summary>The vendor the model must come from (<c>&lt;vendor&gt;</c>).</summary>
    public string? Vendor { get; init; }

    public CpuTopology? Topology { get; init; }

    public IReadOnlyList<CpuFeatureDef> Features { get; init; } = [];

    /// <summary>The guest NUMA cells (<c>&lt;numa&gt;&lt;cell&gt;</c>), by id.</summary>
    public IReadOnlyList<NumaCellDef> NumaCells { get; init; } = [];
}
