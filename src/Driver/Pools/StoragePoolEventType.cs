namespace Kvm.Driver.Pools;

/// <summary>virStoragePoolEventLifecycleType, and the refresh event (VIR_STORAGE_POOL_EVENT_ID_REFRESH) as its own kind.</summary>
public enum StoragePoolEventType
{
    Defined = 0,
    Undefined = 1,
    Started = 2,
    Stopped = 3,
    Created = 4,
    Deleted = 5,
    Refreshed = -1,
}
