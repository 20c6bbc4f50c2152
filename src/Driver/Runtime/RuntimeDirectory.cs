using System.Text.Json;
using Kvm.Driver.Storage;
using NLog;

namespace Kvm.Driver.Runtime;

/// <summary>
/// The runtime directory (volatile): per running domain <c>&lt;name&gt;.status</c> (JSON <see cref="RuntimeStatus"/>),
/// <c>&lt;name&gt;.xml</c> (the live definition kvm-vmm reads), <c>&lt;name&gt;.qmp</c> (its monitor, mode 0600) and
/// <c>&lt;name&gt;.log</c> (its stdout and stderr, kept after it stops as libvirt keeps qemu/&lt;name&gt;.log).
/// </summary>
public sealed class RuntimeDirectory
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public RuntimeDirectory(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string StatusPathOf(string name) => Path.Combine(Directory, name + ".status");

    public string XmlPathOf(string name) => Path.Combine(Directory, name + ".xml");

    public string QmpPathOf(string name) => Path.Combine(Directory, name + ".qmp");

    public string LogPathOf(string name) => Path.Combine(Directory, name + ".log");

    /// <summary>Creates the directory (mode 0700) when it does not exist; refuses one that is not kvmd's own.</summary>
    public void EnsureDirectory() => PrivateDirectory.Ensure(Directory, "runtime");

    public void WriteStatus(RuntimeStatus status)
    {
        EnsureDirectory();
        AtomicFile.WriteAllText(StatusPathOf(status.Name), JsonSerializer.Serialize(status, RuntimeJsonContext.Default.RuntimeStatus));
    }

    /// <summary>Every status file that reads back; unreadable ones are logged and left for inspection.</summary>
    public IReadOnlyList<RuntimeStatus> ReadAll()
    {
        var result = new List<RuntimeStatus>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return result;
        }

        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*.status").Order(StringComparer.Ordinal))
        {
            if (!FileOwner.IsOwnedBySelf(file))
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllText(file), RuntimeJsonContext.Default.RuntimeStatus) is { } status)
                {
                    result.Add(status);
                }
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                s_log.Error("Ignoring unreadable runtime status {File}: {Error}", file, e.Message);
            }
        }

        return result;
    }

    /// <summary>Removes what a stopped domain leaves behind, except its log.</summary>
    public void Clean(string name)
    {
        foreach (string path in new[] { StatusPathOf(name), XmlPathOf(name), QmpPathOf(name) })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException e)
            {
                s_log.Warn("Cannot remove {File}: {Error}", path, e.Message);
            }
        }
    }
}
