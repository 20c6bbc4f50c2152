using Kvm.Driver.Domains;

namespace Kvm.Driver.Api;

/// <summary>The filter of virConnectListAllDomains (libvirt's virDomainObjListFilter), on kvmd's domains.</summary>
public static class DomainListFilter
{
    /// <summary>The state filters, which virConnectGetAllDomainStats shares.</summary>
    public const DomainListFlags StateFilters = DomainListFlags.Active | DomainListFlags.Inactive | DomainListFlags.Persistent
        | DomainListFlags.Transient | DomainListFlags.Running | DomainListFlags.Paused | DomainListFlags.Shutoff | DomainListFlags.Other;

    public static bool Matches(DomainInfo domain, DomainListFlags flags)
    {
        // kvmd keeps no managed-save images, snapshots or checkpoints: the "has" filters match nothing.
        return Group(flags, DomainListFlags.Active, domain.Active, DomainListFlags.Inactive)
            && Group(flags, DomainListFlags.Persistent, domain.Persistent, DomainListFlags.Transient)
            && StateGroup(domain, flags)
            && Group(flags, DomainListFlags.ManagedSave, false, DomainListFlags.NoManagedSave)
            && Group(flags, DomainListFlags.Autostart, domain.Autostart, DomainListFlags.NoAutostart)
            && Group(flags, DomainListFlags.HasSnapshot, false, DomainListFlags.NoSnapshot)
            && Group(flags, DomainListFlags.HasCheckpoint, false, DomainListFlags.NoCheckpoint);
    }

    private static bool Group(DomainListFlags flags, DomainListFlags yes, bool value, DomainListFlags no) =>
        (flags & (yes | no)) == 0 || (value && (flags & yes) != 0) || (!value && (flags & no) != 0);

    private static bool StateGroup(DomainInfo domain, DomainListFlags flags)
    {
        const DomainListFlags states = DomainListFlags.Running | DomainListFlags.Paused | DomainListFlags.Shutoff | DomainListFlags.Other;
        if ((flags & states) == 0)
        {
            return true;
        }
        DomainListFlags wanted = domain.State switch
        {
            DomainState.Running => DomainListFlags.Running,
            DomainState.Paused => DomainListFlags.Paused,
            DomainState.Shutoff => DomainListFlags.Shutoff,
            DomainState.NoState or DomainState.Blocked or DomainState.Shutdown or DomainState.Crashed or DomainState.PmSuspended => DomainListFlags.Other,
        };
        return (flags & wanted) != 0;
    }
}
