namespace Kvm.Qmp;

/// <summary>The error classes QEMU puts in <c>{"error": {"class": ...}}</c> (qapi/error.json, QapiErrorClass).</summary>
public enum QmpErrorClass
{
    GenericError,
    CommandNotFound,
    DeviceNotActive,
    DeviceNotFound,
    KVMMissingCap,
}
