using Kvm.Driver.Domains;
using Kvm.Driver.Pools;

namespace Kvm.Driver.Rpc;

/// <summary>remote_nonnull_storage_pool on the wire (<see cref="RemoteUuidObject"/>), and its lookup.</summary>
internal static class RemoteStoragePool
{
    public static (string Name, Guid Uuid) Read(ref XdrReader reader) => RemoteUuidObject.Read(ref reader);

    public static void Write(ref XdrWriter writer, StoragePoolSnapshot pool) => RemoteUuidObject.Write(ref writer, pool.Name, pool.Uuid);

    /// <summary>The pool a reference names, or storagePoolObjFindByUUID's error, which names the caller's name for it.</summary>
    public static StoragePoolSnapshot Resolve(StoragePoolManager pools, (string Name, Guid Uuid) reference) =>
        pools.TryGet(reference.Uuid, out StoragePoolSnapshot pool)
            ? pool
            : throw new DomainOperationException(StorageErrors.NoStoragePool,
                $"{StorageErrors.NoPoolByUuid(reference.Uuid).Message} ({reference.Name})");
}
