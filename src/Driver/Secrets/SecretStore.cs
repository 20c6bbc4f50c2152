using Kvm.Driver.Storage;
using NLog;

namespace Kvm.Driver.Secrets;

/// <summary>
/// Persistent secrets under the state directory's <c>secrets/</c> (mode 0700) as libvirt's secret driver keeps them:
/// <c>UUID.xml</c> for the definition and <c>UUID.base64</c> for the value, both mode 0600 and written atomically.
/// Ephemeral secrets never reach it. A file that no longer parses is logged and left in place.
/// </summary>
internal sealed class SecretStore
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public SecretStore(string stateDirectory)
    {
        Directory = Path.Combine(stateDirectory, "secrets");
    }

    public string Directory { get; }

    public IReadOnlyList<(SecretDef Def, byte[]? Value)> LoadAll()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }
        var secrets = new List<(SecretDef, byte[]?)>();
        foreach (string file in System.IO.Directory.GetFiles(Directory, "*.xml").Order(StringComparer.Ordinal))
        {
            try
            {
                SecretDef def = SecretXml.Parse(File.ReadAllText(file));
                string valueFile = ValuePath(def.Uuid);
                byte[]? value = File.Exists(valueFile) ? Convert.FromBase64String(File.ReadAllText(valueFile).Trim()) : null;
                secrets.Add((def with { Ephemeral = false }, value));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or Domains.DomainOperationException)
            {
                s_log.Error("Skipping secret {File} (left in place): {Error}", file, e.Message);
            }
        }
        return secrets;
    }

    public void SaveDefinition(SecretDef def)
    {
        EnsureDirectory();
        AtomicFile.WriteAllText(DefinitionPath(def.Uuid), SecretXml.Format(def));
    }

    public void SaveValue(Guid uuid, byte[] value)
    {
        EnsureDirectory();
        AtomicFile.WriteAllText(ValuePath(uuid), Convert.ToBase64String(value));
    }

    /// <summary>Removes the definition and the value (either may be missing).</summary>
    public void Remove(Guid uuid)
    {
        foreach (string file in new[] { DefinitionPath(uuid), ValuePath(uuid) })
        {
            if (File.Exists(file))
            {
                AtomicFile.Delete(file);
            }
        }
    }

    private void EnsureDirectory() => System.IO.Directory.CreateDirectory(Directory, DirectoryMode);

    private string DefinitionPath(Guid uuid) => Path.Combine(Directory, uuid.ToString("D") + ".xml");

    private string ValuePath(Guid uuid) => Path.Combine(Directory, uuid.ToString("D") + ".base64");
}
