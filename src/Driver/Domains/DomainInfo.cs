namespace Kvm.Driver.Domains;

/// <summary>An immutable snapshot of one domain as the API reports it.</summary>
/// <param name="Id">libvirt's domain id while active, -1 while inactive.</param>
/// <param name="Updated">The persistent definition differs from the running one (libvirt's isUpdated).</param>
/// <param name="CpuTimeNs">Guest CPU time used so far (0 while inactive).</param>
public sealed record DomainInfo(
    Guid Uuid,
    string Name,
    int Id,
    bool Persistent,
    bool Autostart,
    bool Updated,
    DomainState State,
    int Reason,
    string OsType,
    ulong MaxMemoryKiB,
    ulong MemoryKiB,
    uint Vcpus,
    ulong CpuTimeNs)
{
    public bool Active => Id >= 0;
}
