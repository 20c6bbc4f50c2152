using Kvm.Driver.Storage;
using NLog;

namespace Kvm.Driver.Pools;

/// <summary>
/// Persistent pool definitions under the state directory's <c>storage/</c> (one <c>NAME.xml</c> each, libvirt's
/// pool XML) and autostart markers in <c>storage/autostart/</c>, written atomically. A file that no longer parses
/// is logged and left in place.
/// </summary>
internal sealed class StoragePoolStore
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private static readonly StoragePoolInfo s_noFigures = new(StoragePoolInfo.Inactive, 0, 0, 0, 0, 0);

    public StoragePoolStore(string stateDirectory)
    {
        Directory = Path.Combine(stateDirectory, "storage");
    }

    public string Directory { get; }

    private string AutostartDirectory => Path.Combine(Directory, "autostart");

    public IReadOnlyList<(StoragePoolDef Def, bool Autostart)> LoadAll()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }
        var pools = new List<(StoragePoolDef, bool)>();
        foreach (string file in System.IO.Directory.GetFiles(Directory, "*.xml").Order(StringComparer.Ordinal))
        {
            try
            {
                StoragePoolDef def = StoragePoolXml.Parse(File.ReadAllText(file));
                pools.Add((def, File.Exists(Path.Combine(AutostartDirectory, def.Name))));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Domains.DomainOperationException)
            {
                s_log.Error("Skipping storage pool definition {File} (left in place): {Error}", file, e.Message);
            }
        }
        return pools;
    }

    public void Save(StoragePoolDef def)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(Path.Combine(Directory, def.Name + ".xml"), StoragePoolXml.Format(def, s_noFigures));
    }

    public void Remove(string name)
    {
        SetAutostart(name, false);
        AtomicFile.Delete(Path.Combine(Directory, name + ".xml"));
    }

    public void SetAutostart(string name, bool autostart)
    {
        string marker = Path.Combine(AutostartDirectory, name);
        if (autostart)
        {
            System.IO.Directory.CreateDirectory(AutostartDirectory);
            AtomicFile.WriteAllText(marker, "");
        }
        else if (File.Exists(marker))
        {
            AtomicFile.Delete(marker);
        }
    }
}
