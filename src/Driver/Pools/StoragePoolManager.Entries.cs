using Kvm.Driver.Domains;
using Kvm.Driver.Interop;

namespace Kvm.Driver.Pools;

/// <summary>The pool table: entries, lookups and libvirt's duplicate checks (virStoragePoolObjIsDuplicate), figures.</summary>
public sealed partial class StoragePoolManager
{
    private sealed class Entry(StoragePoolDef def)
    {
        public StoragePoolDef Def { get; set; } = def;

        public bool Active { get; set; }

        public bool Persistent { get; set; }

        public bool Autostart { get; set; }
    }

    private static StoragePoolSnapshot Snapshot(Entry e) => new(e.Def.Uuid, e.Def.Name, e.Def.TargetPath, e.Active, e.Persistent, e.Autostart);

    private Entry Find(Guid uuid) => _pools.FirstOrDefault(p => p.Def.Uuid == uuid) ?? throw StorageErrors.NoPoolByUuid(uuid);

    private Entry FindByName(string name) => _pools.FirstOrDefault(p => p.Def.Name == name) ?? throw StorageErrors.NoPoolByName(name);

    /// <summary>The entry a definition redefines (same name and uuid), or null for a new pool; libvirt's errors for clashes.</summary>
    private Entry? CheckIdentity(StoragePoolDef def)
    {
        Entry? byUuid = _pools.FirstOrDefault(p => p.Def.Uuid == def.Uuid);
        if (byUuid is not null && byUuid.Def.Name != def.Name)
        {
            throw StorageErrors.Failed($"pool '{byUuid.Def.Name}' is already defined with uuid {def.Uuid:D}");
        }
        Entry? byName = _pools.FirstOrDefault(p => p.Def.Name == def.Name);
        if (byName is not null && byName.Def.Uuid != def.Uuid)
        {
            throw StorageErrors.Failed($"pool '{def.Name}' already exists with uuid {byName.Def.Uuid:D}");
        }
        if (_pools.FirstOrDefault(p => p != byUuid && p.Def.TargetPath == def.TargetPath) is { } sameTarget)
        {
            throw StorageErrors.Failed($"Storage source conflict with pool: '{sameTarget.Def.Name}'");
        }
        return byUuid;
    }

    private static void CheckDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            string reason = File.Exists(path) ? "Not a directory" : "No such file or directory";
            throw StorageErrors.System($"cannot open directory '{path}': {reason}");
        }
    }

    private static StoragePoolInfo InfoLocked(Entry entry)
    {
        if (!entry.Active)
        {
            return new StoragePoolInfo(StoragePoolInfo.Inactive, 0, 0, 0, 0, 0);
        }
        string path = entry.Def.TargetPath;
        try
        {
            var drive = new DriveInfo(path);
            ulong capacity = (ulong)drive.TotalSize;
            ulong free = (ulong)drive.TotalFreeSpace;
            LibC.Stat(path, out StatBuf stat);
            return new StoragePoolInfo(StoragePoolInfo.Running, capacity, capacity - free, (ulong)drive.AvailableFreeSpace, stat.Uid, stat.Gid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw StorageErrors.System($"cannot statvfs path '{path}': {e.Message}", e);
        }
    }
}
