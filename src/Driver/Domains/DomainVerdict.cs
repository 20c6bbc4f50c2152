namespace Kvm.Driver.Domains;

/// <summary>What <see cref="DomainStateMachine.Decide"/> says about an operation: go, nothing to do, or libvirt's error.</summary>
public readonly record struct DomainVerdict(DomainVerdictKind Kind, VirErrorCode Code = 0, string? Message = null, bool FromDomainConf = false)
{
    public static DomainVerdict Proceed { get; } = new(DomainVerdictKind.Proceed);

    public static DomainVerdict NoOp { get; } = new(DomainVerdictKind.NoOp);

    public static DomainVerdict Invalid(string message) =>
        new(DomainVerdictKind.Refused, VirErrorCode.OperationInvalid, "Requested operation is not valid: " + message);

    /// <summary>virDomainObjCheckActive's refusal, raised in libvirt's domain code (VIR_FROM_DOMAIN) for the QEMU driver.</summary>
    public static DomainVerdict NotRunning { get; } = Invalid("domain is not running") with { FromDomainConf = true };

    /// <summary>True when the operation has work to do; throws libvirt's error when it is refused.</summary>
    public bool ThrowIfRefused() => Kind switch
    {
        DomainVerdictKind.Proceed => true,
        DomainVerdictKind.NoOp => false,
        DomainVerdictKind.Refused => throw new DomainOperationException(Code, Message!) { FromDomainConf = FromDomainConf },
    };
}

public enum DomainVerdictKind
{
    Proceed,
    NoOp,
    Refused,
}
