namespace Kvm.Driver.Domains;

/// <summary>The result of a VMM event for a domain: its new state and reason, the lifecycle events, a reboot.</summary>
public sealed record DomainTransition(DomainState State, int Reason, IReadOnlyList<(DomainEventType Event, int Detail)> Events, bool Rebooted)
{
    public static DomainTransition Unchanged(DomainState state, int reason) => new(state, reason, [], false);
}
