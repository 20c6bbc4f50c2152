using Kvm.Driver.Pools;

namespace Kvm.Driver.Rpc;

/// <summary>remote_nonnull_storage_vol on the wire: the pool's name, the volume's name and its key.</summary>
internal static class RemoteStorageVol
{
    public static (string Pool, string Name, string Key) Read(ref XdrReader reader)
    {
        string pool = reader.ReadString();
        string name = reader.ReadString();
        return (pool, name, reader.ReadString());
    }

    public static void Write(ref XdrWriter writer, StorageVolRef vol)
    {
        writer.WriteString(vol.Pool);
        writer.WriteString(vol.Name);
        writer.WriteString(vol.Key);
    }

    /// <summary>
    /// The volume a reference names, found as virStorageVolDefFromVol does: its pool by name (which must be active),
    /// then the volume by name in it; each step's libvirt error when it fails. The key the client sent is not trusted.
    /// </summary>
    public static StorageVolRef Resolve(StoragePoolManager pools, (string Pool, string Name, string Key) reference) =>
        pools.LookupVolumeByName(pools.LookupByName(reference.Pool).Uuid, reference.Name);
}
