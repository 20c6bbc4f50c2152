using Kvm.Driver.Domains;

namespace Kvm.Driver.Pools;

/// <summary>
/// virStorageVolCreateXMLFrom for dir pools: a new volume holding a copy of another's content (from any active pool),
/// in the new definition's format, converted with qemu-img as libvirt's dir backend does; never smaller than its source.
/// </summary>
public sealed partial class StoragePoolManager
{
    public StorageVolRef CreateVolumeFrom(Guid pool, string xml, string sourceKey, uint flags)
    {
        if (flags != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags:x}) in function storageVolCreateXMLFrom");
        }
        StorageVolDef def = StorageVolXml.Parse(xml);
        lock (_gate)
        {
            Entry entry = ActiveLocked(pool);
            StorageVolRef source = FindVolumeLocked(sourceKey) ?? throw StorageErrors.NoVolByKey(sourceKey);
            StorageVolInfo from = VolumeInfo(source.Path);
            // storageVolCreateXMLFrom: the clone is at least as large as its source.
            StorageVolDef clone = def.Capacity < from.Capacity ? def with { Capacity = from.Capacity } : def;
            return CreateVolumeLocked(entry, clone, path =>
            {
                Qcow2Image.Convert(source.Path, from.Format, path, clone.Format);
                if (clone.Capacity > from.Capacity)
                {
                    if (clone.Format == "qcow2")
                    {
                        Qcow2Image.Resize(path, clone.Capacity, shrink: false);
                    }
                    else
                    {
                        ResizeRaw(path, (long)clone.Capacity, allocate: false);
                    }
                }
            });
        }
    }
}
