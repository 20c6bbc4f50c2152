using Kvm.Driver.Domains;

namespace Kvm.Driver.Pools;

/// <summary>libvirt's storage driver messages (storage_driver.c, storage_conf.c, storage_util.c), each returning the exception.</summary>
internal static class StorageErrors
{
    public const VirErrorCode NoStoragePool = (VirErrorCode)49;  // VIR_ERR_NO_STORAGE_POOL
    public const VirErrorCode NoStorageVol = (VirErrorCode)50;   // VIR_ERR_NO_STORAGE_VOL
    public const VirErrorCode VolExists = (VirErrorCode)90;      // VIR_ERR_STORAGE_VOL_EXIST

    public static DomainOperationException NoPoolByName(string name) =>
        new(NoStoragePool, $"Storage pool not found: no storage pool with matching name '{name}'");

    public static DomainOperationException NoPoolByUuid(Guid uuid) =>
        new(NoStoragePool, $"Storage pool not found: no storage pool with matching uuid '{uuid:D}'");

    public static DomainOperationException NoVolByName(string name) =>
        new(NoStorageVol, $"Storage volume not found: no storage vol with matching name '{name}'");

    public static DomainOperationException NoVolByKey(string key) =>
        new(NoStorageVol, $"Storage volume not found: no storage vol with matching key {key}");

    public static DomainOperationException NoVolByPath(string path) =>
        new(NoStorageVol, $"Storage volume not found: no storage vol with matching path '{path}'");

    public static DomainOperationException NotActive(string name) =>
        new(VirErrorCode.OperationInvalid, $"Requested operation is not valid: storage pool '{name}' is not active");

    public static DomainOperationException AlreadyActive(string name) =>
        new(VirErrorCode.OperationInvalid, $"Requested operation is not valid: storage pool '{name}' is already active");

    public static DomainOperationException Xml(string message) => new(VirErrorCode.XmlError, "XML error: " + message);

    public static DomainOperationException Invalid(string message) => new(VirErrorCode.OperationInvalid, "Requested operation is not valid: " + message);

    public static DomainOperationException Failed(string message, Exception? inner = null) => DomainErrors.OperationFailed(message, inner);

    public static DomainOperationException System(string message, Exception? inner = null) => new(VirErrorCode.SystemError, message, inner);
}
