using Kvm.Driver.Domains;
using Kvm.Driver.Interop;
using NLog;

namespace Kvm.Driver.Pools;

/// <summary>
/// The driver core's storage pools: <c>dir</c> pools defined (persisted by <see cref="StoragePoolStore"/>) or
/// transient, built (the directory made), started (the directory checked), stopped, deleted (the empty directory
/// removed), autostarted at load, with libvirt's storage driver rules and messages. Volumes are in
/// StoragePoolManager.Volumes.cs. One lock guards the table and the store, so what is on disk and in memory agree.
/// </summary>
public sealed partial class StoragePoolManager
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly StoragePoolStore _store;
    private readonly Lock _gate = new();
    private readonly List<Entry> _pools = [];

    public StoragePoolManager(string stateDirectory)
    {
        _store = new StoragePoolStore(stateDirectory);
    }

    /// <summary>libvirt's storage pool events (lifecycle and refresh), raised under the table's lock so they keep the operations' order.</summary>
    public event Action<StoragePoolLifecycleEvent>? LifecycleEvent;

    private void Raise(Entry entry, StoragePoolEventType type) => LifecycleEvent?.Invoke(new StoragePoolLifecycleEvent(entry.Def.Uuid, type, entry.Def.Name));

    /// <summary>Loads the persistent pools; those marked autostart are started when their directory is there.</summary>
    public void Load()
    {
        lock (_gate)
        {
            foreach ((StoragePoolDef def, bool autostart) in _store.LoadAll())
            {
                if (_pools.Any(p => p.Def.Name == def.Name || p.Def.Uuid == def.Uuid))
                {
                    s_log.Error("Ignoring storage pool {Pool} ({Uuid}): it clashes with another", def.Name, def.Uuid);
                    continue;
                }
                var entry = new Entry(def) { Persistent = true, Autostart = autostart };
                _pools.Add(entry);
                if (autostart)
                {
                    entry.Active = Directory.Exists(def.TargetPath);
                    if (!entry.Active)
                    {
                        s_log.Warn("Storage pool {Pool} is marked autostart but its directory {Path} is missing", def.Name, def.TargetPath);
                    }
                }
            }
        }
    }

    public IReadOnlyList<StoragePoolSnapshot> List()
    {
        lock (_gate)
        {
            return _pools.OrderBy(p => p.Def.Name, StringComparer.Ordinal).Select(Snapshot).ToArray();
        }
    }

    public StoragePoolSnapshot LookupByName(string name)
    {
        lock (_gate)
        {
            return Snapshot(FindByName(name));
        }
    }

    public bool TryGet(Guid uuid, out StoragePoolSnapshot pool)
    {
        lock (_gate)
        {
            Entry? entry = _pools.FirstOrDefault(p => p.Def.Uuid == uuid);
            pool = entry is null ? null! : Snapshot(entry);
            return entry is not null;
        }
    }

    /// <summary>virStoragePoolRefresh: a dir pool's volumes are read when asked for, so only the checks remain.</summary>
    public void Refresh(Guid uuid, uint flags)
    {
        if (flags != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags:x}) in function storagePoolRefresh");
        }
        lock (_gate)
        {
            Raise(ActiveLocked(uuid), StoragePoolEventType.Refreshed);
        }
    }

    public StoragePoolSnapshot LookupByUuid(Guid uuid)
    {
        lock (_gate)
        {
            return Snapshot(Find(uuid));
        }
    }

    /// <summary>virStoragePoolDefineXML: a new persistent pool, or a new definition of an existing one (same name and uuid).</summary>
    public StoragePoolSnapshot Define(string xml)
    {
        StoragePoolDef def = StoragePoolXml.Parse(xml);
        lock (_gate)
        {
            Entry? entry = CheckIdentity(def);
            _store.Save(def);
            if (entry is null)
            {
                entry = new Entry(def);
                _pools.Add(entry);
            }
            entry.Def = def;
            entry.Persistent = true;
            Raise(entry, StoragePoolEventType.Defined);
            s_log.Info("Defined storage pool {Pool} ({Path})", def.Name, def.TargetPath);
            return Snapshot(entry);
        }
    }

    /// <summary>virStoragePoolCreateXML: a transient pool, started at once (its directory must exist).</summary>
    public StoragePoolSnapshot CreateTransient(string xml)
    {
        StoragePoolDef def = StoragePoolXml.Parse(xml);
        lock (_gate)
        {
            if (CheckIdentity(def) is { } existing)
            {
                throw existing.Active ? StorageErrors.AlreadyActive(existing.Def.Name) : StorageErrors.Failed($"pool '{def.Name}' already exists");
            }
            CheckDirectory(def.TargetPath);
            var entry = new Entry(def) { Active = true };
            _pools.Add(entry);
            Raise(entry, StoragePoolEventType.Started);
            return Snapshot(entry);
        }
    }

    public void Undefine(Guid uuid)
    {
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (!entry.Persistent)
            {
                throw StorageErrors.Invalid($"storage pool '{entry.Def.Name}' is not persistent");
            }
            if (entry.Active)
            {
                throw StorageErrors.Invalid($"storage pool '{entry.Def.Name}' is still active");
            }
            _store.Remove(entry.Def.Name);
            _pools.Remove(entry);
            Raise(entry, StoragePoolEventType.Undefined);
            s_log.Info("Undefined storage pool {Pool}", entry.Def.Name);
        }
    }

    /// <summary>virStoragePoolBuild for a dir pool: the target directory, with the definition's mode (0711 by default).</summary>
    public void Build(Guid uuid, uint flags)
    {
        const uint Overwrite = 8, NoOverwrite = 4;
        if ((flags & ~(Overwrite | NoOverwrite)) != 0 || (flags & (Overwrite | NoOverwrite)) == (Overwrite | NoOverwrite))
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags:x}) in function virStorageBackendFileSystemBuild");
        }
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (entry.Active)
            {
                throw StorageErrors.AlreadyActive(entry.Def.Name);
            }
            string path = entry.Def.TargetPath;
            if (File.Exists(path))
            {
                throw StorageErrors.Failed($"cannot create path '{path}': it is a file, not a directory");
            }
            try
            {
                Directory.CreateDirectory(path, entry.Def.TargetMode ?? StoragePoolXml.DefaultMode);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StorageErrors.System($"cannot create path '{path}': {e.Message}", e);
            }
            Raise(entry, StoragePoolEventType.Created);
        }
    }

    public void Start(Guid uuid)
    {
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (entry.Active)
            {
                throw StorageErrors.AlreadyActive(entry.Def.Name);
            }
            CheckDirectory(entry.Def.TargetPath);
            entry.Active = true;
            Raise(entry, StoragePoolEventType.Started);
            s_log.Info("Started storage pool {Pool}", entry.Def.Name);
        }
    }

    /// <summary>virStoragePoolDestroy: stopped; a transient pool is gone.</summary>
    public void Destroy(Guid uuid)
    {
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (!entry.Active)
            {
                throw StorageErrors.NotActive(entry.Def.Name);
            }
            entry.Active = false;
            Raise(entry, StoragePoolEventType.Stopped);
            if (!entry.Persistent)
            {
                _pools.Remove(entry);
            }
        }
    }

    /// <summary>virStoragePoolDelete for a dir pool: the inactive pool's (empty) directory removed.</summary>
    public void Delete(Guid uuid, uint flags)
    {
        if (flags != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags:x}) in function virStorageBackendFileSystemDelete");
        }
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (entry.Active)
            {
                throw StorageErrors.Invalid($"storage pool '{entry.Def.Name}' is still active");
            }
            try
            {
                Directory.Delete(entry.Def.TargetPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StorageErrors.System($"failed to remove pool '{entry.Def.TargetPath}': {e.Message}", e);
            }
            Raise(entry, StoragePoolEventType.Deleted);
        }
    }

    public void SetAutostart(Guid uuid, bool autostart)
    {
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (!entry.Persistent)
            {
                throw StorageErrors.Invalid("cannot set autostart for transient pool");
            }
            _store.SetAutostart(entry.Def.Name, autostart);
            entry.Autostart = autostart;
        }
    }

    public StoragePoolInfo GetInfo(Guid uuid)
    {
        lock (_gate)
        {
            return InfoLocked(Find(uuid));
        }
    }

    /// <summary>virStoragePoolGetXMLDesc; VIR_STORAGE_XML_INACTIVE (1) gives the definition without figures.</summary>
    public string GetXmlDesc(Guid uuid, uint flags)
    {
        if ((flags & ~1u) != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags & ~1u:x}) in function storagePoolGetXMLDesc");
        }
        lock (_gate)
        {
            Entry entry = Find(uuid);
            StoragePoolInfo info = (flags & 1) != 0 ? new StoragePoolInfo(StoragePoolInfo.Inactive, 0, 0, 0, 0, 0) : InfoLocked(entry);
            return StoragePoolXml.Format(entry.Def, info);
        }
    }
}
