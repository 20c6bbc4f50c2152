namespace Kvm.Vmm.Hypervisor;

/// <summary>Names the group that owns a device node, for "join the group" advice.</summary>
internal static class DeviceGroup
{
    /// <summary>" ('kvm', gid 104)" for a device owned by group kvm; empty when the owner cannot be told.</summary>
    public static string Describe(string path)
    {
        if (Interop.Stat.GroupOf(path) is not { } gid)
        {
            return string.Empty;
        }

        return GroupName(gid) is { } name ? $" ('{name}', gid {gid})" : $" (gid {gid})";
    }

    private static string? GroupName(uint gid)
    {
        try
        {
            foreach (string line in File.ReadLines("/etc/group"))
            {
                string[] fields = line.Split(':');
                if (fields.Length > 2 && uint.TryParse(fields[2], out uint id) && id == gid)
                {
                    return fields[0];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
