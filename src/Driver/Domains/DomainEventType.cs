namespace Kvm.Driver.Domains;

/// <summary>libvirt's virDomainEventType (the DomainEvent signal's <c>event</c> argument).</summary>
/// <remarks>The detail numbers per event are libvirt's too: see <see cref="DomainEventDetail"/>.</remarks>
public enum DomainEventType
{
    Defined = 0,
    Undefined = 1,
    Started = 2,
    Suspended = 3,
    Resumed = 4,
    Stopped = 5,
    Shutdown = 6,
    PmSuspended = 7,
    Crashed = 8,
}
