namespace Kvm.DomainXml.Devices.Chardev;

/// <summary>
/// libvirt's character device type names (virDomainChr), for the backends that name their chardev's type in their own
/// words (rng egd, external TPM) before its source is read.
/// </summary>
internal static class ChardevTypes
{
    private static readonly HashSet<string> s_names =
    [
        "null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp", "unix", "spicevmc", "spiceport", "nmdm",
        "qemu-vdagent", "dbus",
    ];

    public static bool IsKnown(string type) => s_names.Contains(type);
}
