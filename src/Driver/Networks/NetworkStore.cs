using Kvm.Driver.Storage;
using NLog;

namespace Kvm.Driver.Networks;

/// <summary>
/// Persistent network definitions under the state directory's <c>networks/</c> (one <c>NAME.xml</c> each, libvirt's
/// network XML) with autostart markers in <c>networks/autostart/</c>, and the running networks' status under the
/// runtime directory's <c>network/</c> (the live definition, so a restarted kvmd knows what is up). Written atomically;
/// a file that no longer parses is logged and left in place.
/// </summary>
internal sealed class NetworkStore
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public NetworkStore(string stateDirectory, string runtimeDirectory)
    {
        Directory = Path.Combine(stateDirectory, "networks");
        StatusDirectory = Path.Combine(runtimeDirectory, "network");
    }

    public string Directory { get; }

    public string StatusDirectory { get; }

    private string AutostartDirectory => Path.Combine(Directory, "autostart");

    public IReadOnlyList<(NetworkDef Def, bool Autostart)> LoadAll() =>
        Read(Directory).Select(def => (def, File.Exists(Path.Combine(AutostartDirectory, def.Name)))).ToArray();

    public IReadOnlyList<NetworkDef> LoadStatus() => Read(StatusDirectory);

    public void Save(NetworkDef def)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(Path.Combine(Directory, def.Name + ".xml"), NetworkXml.Format(def));
    }

    public void Remove(string name)
    {
        SetAutostart(name, false);
        AtomicFile.Delete(Path.Combine(Directory, name + ".xml"));
    }

    public void SaveStatus(NetworkDef live)
    {
        System.IO.Directory.CreateDirectory(StatusDirectory);
        AtomicFile.WriteAllText(Path.Combine(StatusDirectory, live.Name + ".xml"), NetworkXml.Format(live));
    }

    public void RemoveStatus(string name)
    {
        string file = Path.Combine(StatusDirectory, name + ".xml");
        if (File.Exists(file))
        {
            AtomicFile.Delete(file);
        }
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

    private static List<NetworkDef> Read(string directory)
    {
        var defs = new List<NetworkDef>();
        if (!System.IO.Directory.Exists(directory))
        {
            return defs;
        }
        foreach (string file in System.IO.Directory.GetFiles(directory, "*.xml").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file).StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal) || !FileOwner.IsOwnedBySelf(file))
            {
                continue;
            }
            try
            {
                defs.Add(NetworkXml.Parse(File.ReadAllText(file)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Domains.DomainOperationException)
            {
                s_log.Error("Skipping network definition {File} (left in place): {Error}", file, e.Message);
            }
        }
        return defs;
    }
}
