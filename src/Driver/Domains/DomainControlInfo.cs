namespace Kvm.Driver.Domains;

/// <summary>virDomainGetControlInfo: the monitor's state (0 ok, 1 job, 2 occupied, 3 error), its details and how long it has been so (ms).</summary>
public readonly record struct DomainControlInfo(uint State, uint Details, ulong StateTimeMs)
{
    /// <summary>VIR_DOMAIN_CONTROL_OK: the monitor takes commands.</summary>
    public static DomainControlInfo Ok { get; } = new(0, 0, 0);
}
