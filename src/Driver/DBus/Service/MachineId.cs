namespace Kvm.DBus.Service;

/// <summary>The host's machine id for org.freedesktop.DBus.Peer.GetMachineId: /etc/machine-id, else /var/lib/dbus/machine-id.</summary>
public static class MachineId
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
