using System.Xml.Linq;

namespace Kvm.DomainXml.Canonical;

/// <summary>The driver namespaces of domain XML and the prefixes libvirt writes for them, whatever the input used.</summary>
public static class KnownNamespaces
{
    public static readonly XNamespace Qemu = "http://libvirt.org/schemas/domain/qemu/1.0";

    private static readonly Dictionary<string, string> s_prefixes = new(StringComparer.Ordinal)
    {
        [Qemu.NamespaceName] = "qemu",
        ["http://libvirt.org/schemas/domain/lxc/1.0"] = "lxc",
        ["http://libvirt.org/schemas/domain/bhyve/1.0"] = "bhyve",
        ["http://libvirt.org/schemas/domain/xen/1.0"] = "xen",
        ["http://libvirt.org/schemas/domain/vmware/1.0"] = "vmware",
    };

    public static string? PrefixOf(XNamespace ns) =>
        s_prefixes.TryGetValue(ns.NamespaceName, out var prefix) ? prefix : null;
}
