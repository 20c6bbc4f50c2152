using Kvm.Driver.Domains;

namespace Kvm.Driver.Pools;

/// <summary>
/// What changes an existing volume besides its deletion: resize (virStorageVolResize's rules from storage_driver.c:
/// delta, shrink only when asked, never below what is allocated) and wipe (zeros: a raw file overwritten in place, a
/// qcow2 image made anew at its virtual size, so it reads as zeros and stays an image), and the pool a volume is in.
/// </summary>
public sealed partial class StoragePoolManager
{
    private const uint ResizeAllocate = 1, ResizeDelta = 2, ResizeShrink = 4; // virStorageVolResizeFlags
    private const uint WipeAlgorithmZero = 0;                                 // VIR_STORAGE_VOL_WIPE_ALG_ZERO
    private const int WipeChunk = 1 << 20;

    /// <summary>virStoragePoolLookupByVolume: the (active) pool a volume's key places it in.</summary>
    public StoragePoolSnapshot PoolOfVolume(string key)
    {
        lock (_gate)
        {
            StorageVolRef vol = FindVolumeLocked(key) ?? throw StorageErrors.NoVolByKey(key);
            return Snapshot(FindByName(vol.Pool));
        }
    }

    public void ResizeVolume(string key, ulong capacity, uint flags)
    {
        if ((flags & ~(ResizeAllocate | ResizeDelta | ResizeShrink)) != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags & ~7u:x}) in function storageVolResize");
        }
        lock (_gate)
        {
            StorageVolRef vol = FindVolumeLocked(key) ?? throw StorageErrors.NoVolByKey(key);
            StorageVolInfo info = VolumeInfo(vol.Path);
            ulong target = capacity;
            if ((flags & ResizeDelta) != 0)
            {
                if ((flags & ResizeShrink) != 0)
                {
                    target = info.Capacity >= capacity ? info.Capacity - capacity
                        : throw DomainErrors.InvalidArg("can't shrink capacity below zero");
                }
                else
                {
                    target = info.Capacity + capacity < info.Capacity ? throw DomainErrors.InvalidArg("capacity overflows") : info.Capacity + capacity;
                }
            }
            // storageVolResize's order: the allocation first, then the shrink flag.
            if (target < info.Allocation)
            {
                throw DomainErrors.InvalidArg("can't shrink capacity below existing allocation");
            }
            if (target < info.Capacity && (flags & ResizeShrink) == 0)
            {
                throw DomainErrors.InvalidArg("Can't shrink capacity below current capacity unless shrink flag explicitly specified");
            }
            if (target > long.MaxValue)
            {
                throw DomainErrors.InvalidArg($"capacity {target} is too large");
            }
            if (info.Format == "qcow2")
            {
                Qcow2Image.Resize(vol.Path, target, shrink: target < info.Capacity);
            }
            else
            {
                ResizeRaw(vol.Path, (long)target, (flags & ResizeAllocate) != 0);
            }
            s_log.Info("Resized volume {Volume} of storage pool {Pool} to {Capacity} bytes", vol.Name, vol.Pool, target);
        }
    }

    public void WipeVolume(string key, uint algorithm, uint flags)
    {
        if (flags != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags:x}) in function storageVolWipePattern");
        }
        if (algorithm != WipeAlgorithmZero)
        {
            throw new DomainOperationException(VirErrorCode.NoSupport,
                $"this function is not supported by the connection driver: wiping algorithm {algorithm} (kvmd wipes with zeros only)");
        }
        lock (_gate)
        {
            StorageVolRef vol = FindVolumeLocked(key) ?? throw StorageErrors.NoVolByKey(key);
            StorageVolInfo info = VolumeInfo(vol.Path);
            try
            {
                if (info.Format == "qcow2")
                {
                    using (new FileStream(vol.Path, FileMode.Truncate, FileAccess.Write))
                    {
                    }
                    Qcow2Image.Create(vol.Path, info.Capacity);
                }
                else
                {
                    ZeroFill(vol.Path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StorageErrors.System($"failed to wipe volume '{vol.Path}': {e.Message}", e);
            }
            s_log.Info("Wiped volume {Volume} of storage pool {Pool}", vol.Name, vol.Pool);
        }
    }

    private static void ResizeRaw(string path, long length, bool allocate)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            long old = file.Length;
            file.SetLength(length);
            if (allocate && length > old)
            {
                // VIR_STORAGE_VOL_RESIZE_ALLOCATE: the new part written, not left sparse.
                file.Position = old;
                WriteZeros(file, length - old);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.System($"Failed to truncate file '{path}': {e.Message}", e);
        }
    }

    private static void ZeroFill(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        WriteZeros(file, file.Length);
        file.Flush(flushToDisk: true);
    }

    private static void WriteZeros(FileStream file, long count)
    {
        byte[] zeros = new byte[(int)Math.Min(WipeChunk, Math.Max(count, 1))];
        for (long left = count; left > 0; left -= zeros.Length)
        {
            file.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }
    }
}
