namespace Kvm.Driver.Api;

/// <summary>The host's machine id (the host UUID when SMBIOS has none): /etc/machine-id, else /var/lib/dbus/machine-id.</summary>
internal static class MachineId
{
    private static readonly Lazy<string?> s_value = new(Load);

    public static string? Value => s_value.Value;

    private static string? Load()
    {
        foreach (string path in new[] { "/etc/machine-id", "/var/lib/dbus/machine-id" })
        {
            try
            {
                string id = File.ReadAllText(path).Trim();
                if (id.Length == 32)
                {
                    return id;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return null;
    }
}
