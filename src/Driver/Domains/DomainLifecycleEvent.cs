namespace Kvm.Driver.Domains;

/// <summary>A libvirt lifecycle event of one domain (becomes the Connect DomainEvent signal).</summary>
public readonly record struct DomainLifecycleEvent(Guid Uuid, DomainEventType Event, int Detail);
