namespace Kvm.Driver.Networks;

/// <summary>
/// One event of a network, raised by <see cref="NetworkManager"/> in the order its operations happened; the name is the
/// network's at that moment (an undefined network is gone from the table by the time a front end sends the event).
/// </summary>
public readonly record struct NetworkLifecycleEvent(Guid Uuid, NetworkEventType Event, string Name);
