namespace Kvm.Driver.Api;

/// <summary>
/// libvirt-dbus's object paths for the QEMU driver. A domain's node is its UUID with a leading '_' and every '-'
/// turned into '_' (virtDBusUtilEncodeUUID): /org/libvirt/QEMU/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f.
/// Decoding drops the first character and turns '_' back into '-' (virtDBusUtilDecodeUUID), then parses the UUID.
/// </summary>
public static class LibvirtPaths
{
    public const string Root = "/org/libvirt";
    public const string Connect = "/org/libvirt/QEMU";
    public const string DomainRoot = "/org/libvirt/QEMU/domain";

    public static string Domain(Guid uuid) => DomainRoot + "/" + EncodeUuid(uuid);

    public static string EncodeUuid(Guid uuid) => "_" + LibvirtUuid.Format(uuid).Replace('-', '_');

    /// <summary>The UUID text a domain node stands for ("" for the subtree root itself, which is no UUID).</summary>
    public static string DecodeUuid(string node) => node.Length == 0 ? "" : node[1..].Replace('_', '-');

    /// <summary>True for the domain subtree root and its direct children (the paths libvirt-dbus dispatches); node is "" for the root.</summary>
    public static bool TryGetDomainNode(string path, out string node)
    {
        node = "";
        if (path == DomainRoot)
        {
            return true;
        }
        if (path.Length <= DomainRoot.Length + 1 || !path.StartsWith(DomainRoot + "/", StringComparison.Ordinal))
        {
            return false;
        }
        node = path[(DomainRoot.Length + 1)..];
        return !node.Contains('/');
    }
}
