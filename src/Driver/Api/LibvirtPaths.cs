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
    public const string NetworkRoot = "/org/libvirt/QEMU/network";
    public const string StoragePoolRoot = "/org/libvirt/QEMU/storagepool";
    public const string StorageVolRoot = "/org/libvirt/QEMU/storagevol";
    public const string SecretRoot = "/org/libvirt/QEMU/secret";
    public const string NodeDeviceRoot = "/org/libvirt/QEMU/nodedev";
    public const string InterfaceRoot = "/org/libvirt/QEMU/interface";
    public const string NWFilterRoot = "/org/libvirt/QEMU/nwfilter";
    public const string DomainSnapshotRoot = "/org/libvirt/QEMU/domainsnapshot";

    /// <summary>
    /// A snapshot's node is its domain's encoded UUID, '_', then its name encoded as a volume key
    /// (virtDBusUtilBusPathForVirDomainSnapshot): _6695eb01_f6a4_8304_79aa_97f2502e193f_my_5fsnapshot.
    /// </summary>
    public static string DomainSnapshot(Guid domain, string name) => DomainSnapshotRoot + "/" + EncodeUuid(domain) + "_" + EncodeString(name);

    /// <summary>The domain and snapshot name a snapshot path stands for; false for any other path.</summary>
    public static bool TryDecodeDomainSnapshot(string path, out Guid domain, out string name)
    {
        domain = Guid.Empty;
        name = "";
        const int UuidNodeLength = 37; // '_' and 36 characters
        if (NodeBelow(DomainSnapshotRoot, path) is not { Length: > UuidNodeLength + 1 } node || node[UuidNodeLength] != '_' || node.Contains('/')
            || !LibvirtUuid.TryParse(DecodeUuid(node[..UuidNodeLength]), out domain) || DecodeString(node[(UuidNodeLength + 1)..]) is not { } decoded)
        {
            return false;
        }
        name = decoded;
        return true;
    }

    /// <summary>A secret's node is its UUID, encoded as a domain's.</summary>
    public static string Secret(Guid uuid) => SecretRoot + "/" + EncodeUuid(uuid);

    /// <summary>A node device's node is its name, encoded as a volume key (computer, pci_5f0000_5f00_5f01_5f0).</summary>
    public static string NodeDevice(string name) => NodeDeviceRoot + "/" + EncodeString(name);

    /// <summary>A host interface's node is its MAC address, encoded as a volume key (virtDBusUtilBusPathForVirInterface).</summary>
    public static string Interface(string mac) => InterfaceRoot + "/" + EncodeString(mac);

    public static string Network(Guid uuid) => NetworkRoot + "/" + EncodeUuid(uuid);

    public static string StoragePool(Guid uuid) => StoragePoolRoot + "/" + EncodeUuid(uuid);

    /// <summary>A volume's node is its key with every byte but ASCII letters and digits as "_xx" (virtDBusUtilEncodeStr).</summary>
    public static string StorageVol(string key) => StorageVolRoot + "/" + EncodeString(key);

    public static string EncodeString(string text)
    {
        var encoded = new System.Text.StringBuilder(text.Length * 3);
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            if (char.IsAsciiLetterOrDigit((char)b))
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('_').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }

    /// <summary>virtDBusUtilDecodeStr: "_xx" back to its byte; null when the node is not an encoding.</summary>
    public static string? DecodeString(string node)
    {
        var bytes = new List<byte>(node.Length);
        for (int i = 0; i < node.Length; i++)
        {
            if (node[i] != '_')
            {
                bytes.Add((byte)node[i]);
            }
            else if (i + 2 < node.Length && byte.TryParse(node.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier,
                System.Globalization.CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                return null;
            }
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The node below a subtree root ("" for the root itself, null for a path outside it).</summary>
    public static string? NodeBelow(string root, string path) =>
        path == root ? "" : path.StartsWith(root + "/", StringComparison.Ordinal) ? path[(root.Length + 1)..] : null;

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
