namespace Kvm.DBus.Service;

/// <summary>What <see cref="IDBusInterface.TrySetProperty"/> did.</summary>
public enum PropertySetResult
{
    Set,
    Unchanged,
    InvalidValue,
}
