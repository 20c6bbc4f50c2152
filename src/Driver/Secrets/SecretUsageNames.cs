namespace Kvm.Driver.Secrets;

/// <summary>The one table of <see cref="SecretUsageType"/> names (virSecretUsageType's enum strings) and their id elements, used by parser and formatter alike.</summary>
public static class SecretUsageNames
{
    public static string Name(SecretUsageType type) => type switch
    {
        SecretUsageType.None => "none",
        SecretUsageType.Volume => "volume",
        SecretUsageType.Ceph => "ceph",
        SecretUsageType.Iscsi => "iscsi",
        SecretUsageType.Tls => "tls",
        SecretUsageType.Vtpm => "vtpm",
    };

    /// <summary>The child of <c>&lt;usage&gt;</c> that carries the usage id (null for none).</summary>
    public static string? IdElement(SecretUsageType type) => type switch
    {
        SecretUsageType.None => null,
        SecretUsageType.Volume => "volume",
        SecretUsageType.Ceph or SecretUsageType.Tls or SecretUsageType.Vtpm => "name",
        SecretUsageType.Iscsi => "target",
    };

    /// <summary>secret_conf.c's message when the id element is missing.</summary>
    public static string MissingIdMessage(SecretUsageType type) => type switch
    {
        SecretUsageType.None => "",
        SecretUsageType.Volume => "volume usage specified, but volume path is missing",
        SecretUsageType.Ceph => "Ceph usage specified, but name is missing",
        SecretUsageType.Iscsi => "iSCSI usage specified, but target is missing",
        SecretUsageType.Tls => "TLS usage specified, but name is missing",
        SecretUsageType.Vtpm => "vTPM usage specified, but name is missing",
    };

    public static bool TryParse(string name, out SecretUsageType type)
    {
        foreach (SecretUsageType candidate in Enum.GetValues<SecretUsageType>())
        {
            if (Name(candidate) == name)
            {
                type = candidate;
                return true;
            }
        }
        type = SecretUsageType.None;
        return false;
    }
}
