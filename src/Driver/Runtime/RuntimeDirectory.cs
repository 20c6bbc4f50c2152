using System.Security.Cryptography;
using System.Text;
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

    /// <summary>The longest path a Unix socket address holds (sun_path is 108 bytes with the terminating NUL).</summary>
    public const int MaxSocketPathBytes = 107;

    public RuntimeDirectory(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string StatusPathOf(string name) => Path.Combine(Directory, name + ".status");

    public string XmlPathOf(string name) => Path.Combine(Directory, name + ".xml");

    /// <summary>
    /// The monitor socket: <c>&lt;name&gt;.qmp</c> while that fits in a Unix socket address (sun_path: 107 bytes and
    /// its NUL), otherwise <c>h-&lt;first 16 hex digits of the name's SHA-256&gt;.monitor</c>, as libvirt shortens
    /// its per-domain directory names (domain-ID-first-20-characters) for the same reason. No domain's own files end
    /// in <c>.monitor</c>, so the short form cannot meet another domain's name.
    /// </summary>
    public string QmpPathOf(string name)
    {
        string path = Path.Combine(Directory, name + ".qmp");
        if (Encoding.UTF8.GetByteCount(path) <= MaxSocketPathBytes)
        {
            return path;
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];
        return Path.Combine(Directory, "h-" + hash + ".monitor");
    }

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
