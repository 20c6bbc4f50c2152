using Kvm.Driver.Domains;
using Kvm.Driver.Interop;

namespace Kvm.Driver.Pools;

/// <summary>
/// The volumes of dir pools: the regular files of an active pool's directory, keyed by path. New volumes are raw
/// sparse files or qcow2 images (qemu-img); a name that would leave the pool's directory is refused, and a failed create leaves no file.
/// </summary>
public sealed partial class StoragePoolManager
{
    public IReadOnlyList<StorageVolRef> ListVolumes(Guid pool)
    {
        lock (_gate)
        {
            Entry entry = ActiveLocked(pool);
            return Directory.EnumerateFiles(entry.Def.TargetPath).Order(StringComparer.Ordinal)
                .Select(f => new StorageVolRef(entry.Def.Name, Path.GetFileName(f), f)).ToArray();
        }
    }

    public StorageVolRef LookupVolumeByName(Guid pool, string name)
    {
        lock (_gate)
        {
            Entry entry = ActiveLocked(pool);
            string path = Path.Combine(entry.Def.TargetPath, name);
            return IsVolumeName(name) && File.Exists(path) ? new StorageVolRef(entry.Def.Name, name, path) : throw StorageErrors.NoVolByName(name);
        }
    }

    /// <summary>virStorageVolLookupByKey; a dir pool's key is the path.</summary>
    public StorageVolRef LookupVolumeByKey(string key) => FindVolume(key) ?? throw StorageErrors.NoVolByKey(key);

    public StorageVolRef LookupVolumeByPath(string path) => FindVolume(path) ?? throw StorageErrors.NoVolByPath(path);

    /// <summary>virStorageVolCreateXML for a dir pool: a raw file of the capacity asked for (sparse), or a qcow2 image.</summary>
    public StorageVolRef CreateVolume(Guid pool, string xml, uint flags)
    {
        if (flags != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags:x}) in function storageVolCreateXML");
        }
        StorageVolDef def = StorageVolXml.Parse(xml);
        lock (_gate)
        {
            return CreateVolumeLocked(ActiveLocked(pool), def, path =>
            {
                if (def.Format == "qcow2")
                {
                    Qcow2Image.Create(path, def.Capacity);
                }
            });
        }
    }

    /// <summary>
    /// Makes the volume's file (mode 0600, refusing names that leave the pool's directory or exist), a raw one of
    /// the definition's capacity, then lets <paramref name="fill"/> write it; a failure leaves no file.
    /// </summary>
    private StorageVolRef CreateVolumeLocked(Entry entry, StorageVolDef def, Action<string> fill)
    {
        if (def.Name.Contains('/', StringComparison.Ordinal))
        {
            throw StorageErrors.Invalid($"volume name '{def.Name}' cannot contain '/'");
        }
        if (!IsVolumeName(def.Name))
        {
            throw StorageErrors.Invalid($"volume name '{def.Name}' would leave the pool's directory");
        }
        if (def.Capacity > long.MaxValue)
        {
            throw DomainErrors.InvalidArg($"capacity {def.Capacity} is too large");
        }
        string path = Path.Combine(entry.Def.TargetPath, def.Name);
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new DomainOperationException(StorageErrors.VolExists, $"storage volume '{def.Name}' exists already");
        }
        try
        {
            using (var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                if (def.Format == "raw")
                {
                    file.SetLength((long)def.Capacity);
                }
            }
            fill(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DomainOperationException)
        {
            TryDelete(path);
            throw e as DomainOperationException ?? StorageErrors.System($"cannot create volume '{path}': {e.Message}", e);
        }
        s_log.Info("Created volume {Volume} in storage pool {Pool} ({Capacity} bytes)", def.Name, entry.Def.Name, def.Capacity);
        return new StorageVolRef(entry.Def.Name, def.Name, path);
    }

    public void DeleteVolume(string key, uint flags)
    {
        if (flags != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags:x}) in function storageVolDelete");
        }
        lock (_gate)
        {
            StorageVolRef vol = FindVolumeLocked(key) ?? throw StorageErrors.NoVolByKey(key);
            try
            {
                File.Delete(vol.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StorageErrors.System($"cannot unlink file '{vol.Path}': {e.Message}", e);
            }
        }
    }

    public StorageVolInfo GetVolumeInfo(string key)
    {
        lock (_gate)
        {
            StorageVolRef vol = FindVolumeLocked(key) ?? throw StorageErrors.NoVolByKey(key);
            return VolumeInfo(vol.Path);
        }
    }

    public string GetVolumeXmlDesc(string key)
    {
        lock (_gate)
        {
            StorageVolRef vol = FindVolumeLocked(key) ?? throw StorageErrors.NoVolByKey(key);
            return StorageVolXml.Format(vol, VolumeInfo(vol.Path));
        }
    }

    private StorageVolRef? FindVolume(string path)
    {
        lock (_gate)
        {
            return FindVolumeLocked(path);
        }
    }

    private StorageVolRef? FindVolumeLocked(string path)
    {
        string? directory = Path.GetDirectoryName(path);
        string name = Path.GetFileName(path);
        Entry? entry = _pools.FirstOrDefault(p => p.Active && p.Def.TargetPath == directory);
        return entry is not null && IsVolumeName(name) && File.Exists(path) ? new StorageVolRef(entry.Def.Name, name, path) : null;
    }

    private Entry ActiveLocked(Guid pool)
    {
        Entry entry = Find(pool);
        return entry.Active ? entry : throw StorageErrors.NotActive(entry.Def.Name);
    }

    private static bool IsVolumeName(string name) => name.Length > 0 && name is not ("." or "..") && !name.Contains('/', StringComparison.Ordinal);

    private static StorageVolInfo VolumeInfo(string path)
    {
        if (LibC.Stat(path, out StatBuf stat) != 0)
        {
            throw StorageErrors.System($"cannot stat file '{path}'");
        }
        ulong? virtualSize = Qcow2Image.VirtualSize(path);
        return new StorageVolInfo(0, virtualSize ?? (ulong)stat.Size, (ulong)stat.Blocks * 512, (ulong)stat.Size, virtualSize is null ? "raw" : "qcow2",
            stat.Mode & 0xfff, stat.Uid, stat.Gid,
            new StorageVolTimestamps((stat.AtimeSec, stat.AtimeNsec), (stat.MtimeSec, stat.MtimeNsec), (stat.CtimeSec, stat.CtimeNsec)));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s_log.Warn("Could not remove the half-created volume {Path}: {Error}", path, e.Message);
        }
    }
}
