namespace Kvm.Driver.Domains;

/// <summary>The result of a VMM event for a domain: its new state and reason, the lifecycle events, a reboot.</summary>
/// <param name="ResetGuest">The guest powered off for a reboot kvmd asked for: reset the machine and run it again.</param>
public sealed record DomainTransition(DomainState State, int Reason, IReadOnlyList<(DomainEventType Event, int Detail)> Events, bool Rebooted, bool ResetGuest = false)
{
    public static DomainTransition Unchanged(DomainState state, int reason) => new(state, reason, [], false);
}
