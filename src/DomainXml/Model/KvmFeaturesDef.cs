namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;features&gt;&lt;kvm&gt;</c>: KVM's paravirtual features, each with its on/off state.</summary>
public sealed record KvmFeaturesDef
{
    /// <summary>hidden, hint-dedicated, poll-control, pv-ipi, dirty-ring: those listed, with their state.</summary>
    public IReadOnlyDictionary<string, bool> Features { get; init; } = new Dictionary<string, bool>();

    /// <summary>The dirty ring size in entries, read when dirty-ring is on.</summary>
    public uint? DirtyRingSize { get; init; }
}
