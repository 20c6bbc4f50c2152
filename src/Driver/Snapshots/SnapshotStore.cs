using Kvm.Driver.Storage;
using NLog;

namespace Kvm.Driver.Snapshots;

/// <summary>
/// Snapshot metadata under the state directory's <c>snapshot/</c>, one directory per domain (its UUID, so a rename
/// does not orphan them) and one <c>NAME.xml</c> per snapshot in libvirt's internal format (the definition and its
/// <c>&lt;active&gt;</c> current flag), written atomically as libvirt's snapshot metadata directory holds them. A file
/// that no longer parses is logged and left in place.
/// </summary>
internal sealed class SnapshotStore
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public SnapshotStore(string stateDirectory)
    {
        Directory = Path.Combine(stateDirectory, "snapshot");
    }

    public string Directory { get; }

    /// <summary>Every domain's stored snapshots, with the one marked current.</summary>
    public IReadOnlyList<(Guid Domain, SnapshotDef Def, bool Current)> LoadAll()
    {
        var loaded = new List<(Guid, SnapshotDef, bool)>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return loaded;
        }
        foreach (string domainDir in System.IO.Directory.GetDirectories(Directory).Order(StringComparer.Ordinal))
        {
            if (!Guid.TryParse(Path.GetFileName(domainDir), out Guid domain))
            {
                continue;
            }
            foreach (string file in System.IO.Directory.GetFiles(domainDir, "*.xml").Order(StringComparer.Ordinal))
            {
                try
                {
                    SnapshotDef def = SnapshotXml.ParseInternal(File.ReadAllText(file), out bool current);
                    loaded.Add((domain, def, current));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or Domains.DomainOperationException)
                {
                    s_log.Error("Skipping snapshot metadata {File} (left in place): {Error}", file, e.Message);
                }
            }
        }
        return loaded;
    }

    public void Save(Guid domain, SnapshotDef def, bool current)
    {
        string dir = DomainDirectory(domain);
        System.IO.Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(FilePath(domain, def.Name), SnapshotXml.Format(def, domain, secure: true, current));
    }

    public void Delete(Guid domain, string name)
    {
        string file = FilePath(domain, name);
        if (File.Exists(file))
        {
            AtomicFile.Delete(file);
        }
    }

    /// <summary>Removes the domain's snapshot directory with whatever it holds.</summary>
    public void DeleteAll(Guid domain)
    {
        string dir = DomainDirectory(domain);
        if (System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    private string DomainDirectory(Guid domain) => Path.Combine(Directory, domain.ToString("D"));

    private string FilePath(Guid domain, string name) => Path.Combine(DomainDirectory(domain), name + ".xml");
}
