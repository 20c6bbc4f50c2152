namespace Kvm.Driver.Pools;

/// <summary>
/// One event of a pool, raised by <see cref="StoragePoolManager"/> in the order its operations happened; the name is the
/// pool's at that moment (an undefined pool is gone from the table by the time a front end sends the event).
/// </summary>
public readonly record struct StoragePoolLifecycleEvent(Guid Uuid, StoragePoolEventType Event, string Name);
