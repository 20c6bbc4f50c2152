namespace Kvm.DomainXml.Model;

public enum PanicModel
{
    /// <summary>No model given (or <c>model='default'</c>): the platform's own.</summary>
    Default,
    Isa,
    Pseries,
    Hyperv,
    S390,
    Pvpanic,
}

/// <summary><c>&lt;panic model&gt;</c>: a device through which the guest reports a crash.</summary>
public sealed record PanicDef(PanicModel Model);
