namespace Kvm.Driver.Snapshots;

/// <summary>
/// One domain's snapshots by name (virDomainSnapshotObjList): the parent/child tree follows each definition's
/// <see cref="SnapshotDef.Parent"/>, and at most one is current. Not thread-safe: <see cref="SnapshotManager"/> guards it.
/// </summary>
internal sealed class DomainSnapshotTree
{
    private readonly Dictionary<string, SnapshotDef> _snapshots = new(StringComparer.Ordinal);

    public string? Current { get; set; }

    public int Count => _snapshots.Count;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out SnapshotDef def) => _snapshots.TryGetValue(name, out def);

    public SnapshotDef Get(string name) => _snapshots.TryGetValue(name, out SnapshotDef? def) ? def : throw SnapshotErrors.NotFound(name);

    public void Set(SnapshotDef def) => _snapshots[def.Name] = def;

    public void Remove(string name)
    {
        _snapshots.Remove(name);
        if (Current == name)
        {
            Current = null;
        }
    }

    public IEnumerable<SnapshotDef> Children(string? parent) =>
        _snapshots.Values.Where(s => s.Parent == parent || (parent is null && s.Parent is not null && !_snapshots.ContainsKey(s.Parent)));

    public bool HasChildren(string name) => _snapshots.Values.Any(s => s.Parent == name);

    /// <summary>Every descendant of <paramref name="name"/>, parents before their children.</summary>
    public IReadOnlyList<SnapshotDef> Descendants(string name)
    {
        var result = new List<SnapshotDef>();
        var queue = new Queue<string>([name]);
        while (queue.TryDequeue(out string? next))
        {
            foreach (SnapshotDef child in Children(next).OrderBy(s => s.CreationTime).ThenBy(s => s.Name, StringComparer.Ordinal))
            {
                result.Add(child);
                queue.Enqueue(child.Name);
            }
        }
        return result;
    }

    /// <summary>All snapshots, every parent before its children (roots by creation time, then name).</summary>
    public IReadOnlyList<SnapshotDef> All()
    {
        var result = new List<SnapshotDef>(_snapshots.Count);
        foreach (SnapshotDef root in Children(null).OrderBy(s => s.CreationTime).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            result.Add(root);
            result.AddRange(Descendants(root.Name));
        }
        return result;
    }

    /// <summary>virDomainMomentValidateParent's checks of a redefined snapshot's parent, with libvirt's messages.</summary>
    public void CheckParent(SnapshotDef def)
    {
        if (def.Parent is null)
        {
            return;
        }
        if (def.Parent == def.Name)
        {
            throw SnapshotErrors.InvalidArg($"cannot set moment {def.Name} as its own parent");
        }
        if (!_snapshots.TryGetValue(def.Parent, out SnapshotDef? other))
        {
            throw SnapshotErrors.InvalidArg($"parent {def.Parent} for moment {def.Name} not found");
        }
        while (other.Parent is not null)
        {
            if (other.Parent == def.Name)
            {
                throw SnapshotErrors.InvalidArg($"parent {other.Name} would create cycle to {def.Name}");
            }
            if (!_snapshots.TryGetValue(other.Parent, out other))
            {
                break;
            }
        }
    }
}
