namespace Kvm.DomainXml.Model;

/// <summary>How the Hyper-V enlightenments are chosen (<c>&lt;hyperv mode&gt;</c>).</summary>
public enum HypervMode
{
    /// <summary>Each enlightenment as listed (libvirt's default).</summary>
    Custom,

    /// <summary>Every enlightenment the host supports.</summary>
    Passthrough,
}

/// <summary><c>&lt;features&gt;&lt;hyperv&gt;</c>: the mode and each listed enlightenment's state.</summary>
public sealed record HypervFeaturesDef
{
    public HypervMode Mode { get; init; } = HypervMode.Custom;

    /// <summary>Each enlightenment listed (relaxed, vapic, spinlocks, synic, stimer, ...) with its on/off state.</summary>
    public IReadOnlyDictionary<string, bool> Features { get; init; } = new Dictionary<string, bool>();

    /// <summary>The spinlock retry count, read when spinlocks are on.</summary>
    public uint? SpinlockRetries { get; init; }

    /// <summary>The vendor id the guest sees, read when vendor_id is on.</summary>
    public string? VendorId { get; init; }

    /// <summary>Direct-mode synthetic timers (<c>&lt;stimer&gt;&lt;direct state&gt;</c>), read when stimer is on.</summary>
    public bool? StimerDirect { get; init; }
}
