namespace Kvm.DomainXml.Model;

/// <summary>The I/O APIC implementation (<c>&lt;ioapic driver&gt;</c>).</summary>
public enum IoapicDriver
{
    Qemu,
    Kvm,
}

/// <summary>
/// <c>&lt;features&gt;</c>: the hypervisor features the guest sees. The common ones are properties; every other one
/// present is in <see cref="Others"/>. A switch feature without a <c>state</c> is on, as in libvirt.
/// </summary>
public sealed record FeaturesDef
{
    /// <summary>No <c>&lt;features&gt;</c> element.</summary>
    public static FeaturesDef None { get; } = new();

    /// <summary>The names of every feature present and not switched off (<c>state='off'</c>, <c>enabled='no'</c>).</summary>
    public IReadOnlySet<string> Enabled { get; init; } = new HashSet<string>();

    public bool Acpi { get; init; }

    public bool Apic { get; init; }

    /// <summary>The APIC's end-of-interrupt paravirtualization (<c>&lt;apic eoi&gt;</c>).</summary>
    public bool? ApicEoi { get; init; }

    public bool Pae { get; init; }

    /// <summary>Hardware-assisted paging; null when not given.</summary>
    public bool? Hap { get; init; }

    /// <summary>The virtual PMU; null when not given (the hypervisor's default).</summary>
    public bool? Pmu { get; init; }

    public bool? Vmport { get; init; }

    public bool? Smm { get; init; }

    /// <summary>The SMM TSEG size in bytes (<c>&lt;smm&gt;&lt;tseg unit&gt;</c>, MiB by default), read when SMM is on.</summary>
    public ulong? SmmTsegBytes { get; init; }

    public bool? PvSpinlock { get; init; }

    public bool? Vmcoreinfo { get; init; }

    /// <summary>The PS/2 controller (i8042); null when not given.</summary>
    public bool? Ps2 { get; init; }

    public IoapicDriver? Ioapic { get; init; }

    /// <summary>The Hyper-V enlightenments (<c>&lt;hyperv&gt;</c>).</summary>
    public HypervFeaturesDef? Hyperv { get; init; }

    /// <summary>The KVM paravirtual features (<c>&lt;kvm&gt;</c>); present means on.</summary>
    public KvmFeaturesDef? Kvm { get; init; }

    /// <summary>
    /// Every other feature present, by element name: <c>on</c> or <c>off</c> for a switch, or the value of its one
    /// setting (<c>gic</c> version, <c>hpt</c> resizing, <c>cfpc</c>/<c>sbbc</c>/<c>ibs</c> value, <c>msrs</c>
    /// unknown, <c>capabilities</c> policy); <c>on</c> when that setting is not given.
    /// </summary>
    public IReadOnlyDictionary<string, string> Others { get; init; } = new Dictionary<string, string>();
}
