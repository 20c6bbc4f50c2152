namespace Kvm.Driver.Domains;

/// <summary>
/// The snapshots' say in undefine (qemuDomainUndefineFlags): libvirt's error when an inactive domain still has
/// snapshots, and with SNAPSHOTS_METADATA their metadata goes with the definition. (Snapshots are kept by the domain's
/// UUID, so a rename leaves them in place.)
/// </summary>
public interface IDomainSnapshotGuard
{
    /// <summary>Called for an inactive domain under the definitions' lock, before anything is removed.</summary>
    void BeforeUndefine(Guid uuid, uint flags);
}
