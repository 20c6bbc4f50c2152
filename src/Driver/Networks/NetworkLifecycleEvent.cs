namespace Kvm.Driver.Networks;

/// <summary>One event of a network, raised by <see cref="NetworkManager"/> in the order its operations happened.</summary>
public readonly record struct NetworkLifecycleEvent(Guid Uuid, NetworkEventType Event);
