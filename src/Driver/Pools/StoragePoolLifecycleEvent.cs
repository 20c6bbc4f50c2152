namespace Kvm.Driver.Pools;

/// <summary>One event of a pool, raised by <see cref="StoragePoolManager"/> in the order its operations happened.</summary>
public readonly record struct StoragePoolLifecycleEvent(Guid Uuid, StoragePoolEventType Event);
