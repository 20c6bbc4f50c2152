namespace Kvm.Driver.Domains;

/// <summary>
/// The domains the driver core knows, by uuid and by name (libvirt's virDomainObjList), and the one lock that guards
/// every <see cref="DomainEntry"/>'s fields: the services of the core (definitions, lifecycle, disks) take
/// <see cref="Gate"/> for a few field reads or writes and never hold it across I/O or an await.
/// </summary>
internal sealed class DomainTable
{
    private readonly Dictionary<Guid, DomainEntry> _byUuid = [];
    private readonly Dictionary<string, DomainEntry> _byName = new(StringComparer.Ordinal);
    private int _lastId;

    /// <summary>Guards the table and every entry's fields.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The entry for a uuid, or libvirt's "no domain with matching uuid".</summary>
    public DomainEntry Find(Guid uuid)
    {
        lock (Gate)
        {
            return _byUuid.TryGetValue(uuid, out DomainEntry? entry) ? entry : throw DomainErrors.NoDomainByUuid(uuid);
        }
    }

    public bool TryFindLocked(Guid uuid, out DomainEntry entry) => _byUuid.TryGetValue(uuid, out entry!);

    public bool TryFindByNameLocked(string name, out DomainEntry entry) => _byName.TryGetValue(name, out entry!);

    public bool ContainsNameLocked(string name) => _byName.ContainsKey(name);

    /// <summary>Every entry, in no particular order; called under the gate.</summary>
    public IReadOnlyCollection<DomainEntry> EntriesLocked => _byUuid.Values;

    /// <summary>Adds an entry whose uuid and name are free; called under the gate.</summary>
    public void AddLocked(DomainEntry entry)
    {
        _byUuid.Add(entry.Uuid, entry);
        _byName.Add(entry.Name, entry);
    }

    /// <summary>Takes an entry out of the table (undefined, or a transient domain that stopped); called under the gate.</summary>
    public void RemoveLocked(DomainEntry entry)
    {
        entry.Removed = true;
        _byUuid.Remove(entry.Uuid);
        if (_byName.TryGetValue(entry.Name, out var named) && ReferenceEquals(named, entry))
        {
            _byName.Remove(entry.Name);
        }
    }

    /// <summary>Gives an entry a new name in the index; called under the gate.</summary>
    public void RenameLocked(DomainEntry entry, string newName)
    {
        _byName.Remove(entry.Name);
        entry.Name = newName;
        _byName.Add(newName, entry);
    }

    /// <summary>libvirt's rules for a new definition's name and uuid against the domains that exist (virDomainObjListAdd); called under the gate.</summary>
    public void CheckIdentityLocked(string name, Guid uuid)
    {
        if (_byUuid.TryGetValue(uuid, out DomainEntry? sameUuid))
        {
            if (sameUuid.Name != name)
            {
                throw DomainErrors.UuidTaken(sameUuid.Name, uuid);
            }
        }
        else if (_byName.TryGetValue(name, out DomainEntry? sameName))
        {
            throw DomainErrors.NameTaken(name, sameName.Uuid);
        }
    }

    /// <summary>The id of the next domain to start (libvirt counts up from 1 for the daemon's life); called under the gate.</summary>
    public int NextIdLocked() => ++_lastId;

    /// <summary>An id in use by a re-attached domain: later starts count on from it; called under the gate.</summary>
    public void ObserveIdLocked(int id) => _lastId = Math.Max(_lastId, id);

    public IReadOnlyList<DomainInfo> List()
    {
        DomainEntry[] entries;
        lock (Gate)
        {
            entries = [.. _byName.Values];
        }

        return entries.Select(Snapshot).Where(i => i is not null).Select(i => i!).OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
    }

    public bool TryGet(Guid uuid, out DomainInfo info)
    {
        DomainEntry? entry;
        lock (Gate)
        {
            _byUuid.TryGetValue(uuid, out entry);
        }

        info = entry is null ? null! : Snapshot(entry)!;
        return info is not null;
    }

    public DomainInfo LookupByName(string name)
    {
        DomainEntry? entry;
        lock (Gate)
        {
            _byName.TryGetValue(name, out entry);
        }

        return (entry is null ? null : Snapshot(entry)) ?? throw DomainErrors.NoDomainByName(name);
    }

    public DomainInfo LookupByUuid(Guid uuid) => Snapshot(Find(uuid)) ?? throw DomainErrors.NoDomainByUuid(uuid);

    public DomainInfo LookupById(int id)
    {
        DomainEntry? entry;
        lock (Gate)
        {
            entry = id < 0 ? null : _byUuid.Values.FirstOrDefault(e => e.Id == id);
        }

        return (entry is null ? null : Snapshot(entry)) ?? throw DomainErrors.NoDomainById(id);
    }

    /// <summary>What the API reports about an entry; null once it has been removed.</summary>
    public DomainInfo? Snapshot(DomainEntry entry)
    {
        DomainInfo info;
        Vmm.VmmInstance? vmm;
        lock (Gate)
        {
            if (entry.Removed)
            {
                return null;
            }

            var def = entry.Current.Definition;
            vmm = entry.Vmm;
            info = new DomainInfo(entry.Uuid, entry.Name, entry.Id, entry.Persistent is not null, entry.Autostart, entry.Updated,
                entry.State, entry.Reason, def.Os.Type, def.Memory.TotalKiB, def.Memory.CurrentKiB, def.Vcpu.Current, 0);
        }

        return vmm is null ? info : info with { CpuTimeNs = vmm.Process.CpuTimeNs };
    }
}
