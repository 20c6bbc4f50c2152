using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using NLog;

namespace Kvm.Driver.Snapshots;

/// <summary>
/// The driver core's domain snapshots, as libvirt 9.0's QEMU driver keeps them for an inactive domain: internal
/// snapshots in each qcow2 disk's snapshot table and disk-only external snapshots on new qcow2 overlays (both through
/// qemu-img), their metadata per domain in <see cref="SnapshotStore"/>, the parent/child tree and the current snapshot.
/// An operation that touches images holds the domain's job (no start meanwhile); the tables are guarded by one lock,
/// never held while the domain manager is called.
/// </summary>
public sealed partial class SnapshotManager : IDomainSnapshotGuard
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly DomainManager _domains;
    private readonly SnapshotStore _store;
    private readonly QemuImgSnapshots _qemuImg;
    private readonly Func<long> _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, DomainSnapshotTree> _trees = [];

    /// <param name="clock">Seconds since the epoch for new snapshots' creationTime (the system clock when null).</param>
    public SnapshotManager(DomainManager domains, string stateDirectory, string? qemuImg = null, Func<long>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(domains);
        _domains = domains;
        _store = new SnapshotStore(stateDirectory);
        _qemuImg = new QemuImgSnapshots(qemuImg);
        _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        domains.SnapshotGuard = this;
    }

    /// <summary>Loads the stored metadata of every domain's snapshots.</summary>
    public void Load()
    {
        lock (_gate)
        {
            foreach ((Guid domain, SnapshotDef def, bool current) in _store.LoadAll())
            {
                DomainSnapshotTree tree = Tree(domain);
                tree.Set(def);
                if (current)
                {
                    tree.Current = def.Name;
                }
            }
        }
    }

    /// <summary>Every domain's snapshots (for the D-Bus object tree's introspection).</summary>
    public IReadOnlyList<(Guid Domain, string Name)> ListEverything()
    {
        lock (_gate)
        {
            return _trees.SelectMany(t => t.Value.All().Select(s => (t.Key, s.Name))).ToArray();
        }
    }

    /// <summary>virDomainListAllSnapshots with its filters.</summary>
    public IReadOnlyList<SnapshotDef> List(Guid uuid, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, SnapshotFlags.ListAllFlags, "qemuDomainListAllSnapshots");
        _domains.LookupByUuid(uuid);
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(uuid);
            IEnumerable<SnapshotDef> all = (flags & SnapshotFlags.ListRoots) != 0 ? tree.Children(null) : tree.All();
            return all.Where(s => SnapshotFlags.Keep(s, flags, !tree.HasChildren(s.Name))).ToArray();
        }
    }

    /// <summary>virDomainSnapshotListAllChildren: direct children, or (DESCENDANTS) every descendant.</summary>
    public IReadOnlyList<SnapshotDef> ListChildren(Guid uuid, string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, SnapshotFlags.ListAllFlags, "qemuDomainSnapshotListAllChildren");
        _domains.LookupByUuid(uuid);
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(uuid);
            tree.Get(name);
            IEnumerable<SnapshotDef> children = (flags & SnapshotFlags.ListDescendants) != 0 ? tree.Descendants(name) : tree.Children(name);
            return children.Where(s => SnapshotFlags.Keep(s, flags, !tree.HasChildren(s.Name))).ToArray();
        }
    }

    public SnapshotDef Lookup(Guid uuid, string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainSnapshotLookupByName");
        _domains.LookupByUuid(uuid);
        lock (_gate)
        {
            return Tree(uuid).Get(name);
        }
    }

    public bool HasCurrent(Guid uuid, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainHasCurrentSnapshot");
        _domains.LookupByUuid(uuid);
        lock (_gate)
        {
            return Tree(uuid).Current is not null;
        }
    }

    public SnapshotDef Current(Guid uuid, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainSnapshotCurrent");
        DomainInfo domain = _domains.LookupByUuid(uuid);
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(uuid);
            return tree.Current is { } current ? tree.Get(current) : throw SnapshotErrors.NoCurrent();
        }
    }

    public SnapshotDef GetParent(Guid uuid, string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainSnapshotGetParent");
        _domains.LookupByUuid(uuid);
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(uuid);
            SnapshotDef def = tree.Get(name);
            return def.Parent is { } parent ? tree.Get(parent) : throw SnapshotErrors.NoParent(name);
        }
    }

    public bool IsCurrent(Guid uuid, string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainSnapshotIsCurrent");
        _domains.LookupByUuid(uuid);
        lock (_gate)
        {
            DomainSnapshotTree tree = Tree(uuid);
            tree.Get(name);
            return tree.Current == name;
        }
    }

    /// <summary>virDomainSnapshotHasMetadata: every snapshot kvmd knows of has metadata (NO_METADATA ones are not kept).</summary>
    public bool HasMetadata(Guid uuid, string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainSnapshotHasMetadata");
        Lookup(uuid, name, 0);
        return true;
    }

    /// <summary>virDomainSnapshotGetXMLDesc (VIR_DOMAIN_SNAPSHOT_XML_SECURE shows the domain's secrets).</summary>
    public string GetXmlDesc(Guid uuid, string name, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, SnapshotFlags.XmlSecure, "qemuDomainSnapshotGetXMLDesc");
        SnapshotDef def = Lookup(uuid, name, 0);
        return SnapshotXml.Format(def, uuid, (flags & SnapshotFlags.XmlSecure) != 0);
    }

    /// <summary>qemuDomainUndefineFlags: an inactive domain with snapshots needs SNAPSHOTS_METADATA, which drops their metadata.</summary>
    public void BeforeUndefine(Guid uuid, uint flags)
    {
        const uint SnapshotsMetadata = 2; // VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
        lock (_gate)
        {
            int count = _trees.TryGetValue(uuid, out DomainSnapshotTree? tree) ? tree.Count : 0;
            if (count == 0)
            {
                return;
            }
            if ((flags & SnapshotsMetadata) == 0)
            {
                throw SnapshotErrors.Invalid($"cannot delete inactive domain with {count} snapshots");
            }
            Write(() => _store.DeleteAll(uuid), "cannot remove snapshot metadata");
            _trees.Remove(uuid);
            s_log.Info("Dropped the metadata of {Count} snapshots of domain {Uuid}", count, uuid);
        }
    }

    private DomainSnapshotTree Tree(Guid uuid)
    {
        if (!_trees.TryGetValue(uuid, out DomainSnapshotTree? tree))
        {
            tree = new DomainSnapshotTree();
            _trees.Add(uuid, tree);
        }
        return tree;
    }

    /// <summary>Saves a snapshot's metadata with its current flag (under the lock).</summary>
    private void SaveLocked(Guid uuid, DomainSnapshotTree tree, SnapshotDef def) =>
        Write(() => _store.Save(uuid, def, tree.Current == def.Name), $"unable to save metadata for snapshot {def.Name}");

    /// <summary>Makes <paramref name="name"/> current (or none), rewriting the old current's metadata (qemuSnapshotSetCurrent).</summary>
    private void SetCurrentLocked(Guid uuid, DomainSnapshotTree tree, string? name)
    {
        string? old = tree.Current;
        tree.Current = name;
        if (old is not null && old != name && tree.TryGet(old, out SnapshotDef? oldDef))
        {
            SaveLocked(uuid, tree, oldDef);
        }
        if (name is not null)
        {
            SaveLocked(uuid, tree, tree.Get(name));
        }
    }

    private void Write(Action action, string what)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SnapshotErrors.System($"{what} in '{_store.Directory}'", e);
        }
    }
}
