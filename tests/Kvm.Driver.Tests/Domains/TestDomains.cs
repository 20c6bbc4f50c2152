namespace Kvm.Driver.Tests;

/// <summary>Domain definitions for the tests.</summary>
internal static class TestDomains
{
    public static string Xml(string name, Guid? uuid = null, string kernel = "/boot/vmlinuz", string extra = "") => $"""
        <domain type='kvm'>
          <name>{System.Security.SecurityElement.Escape(name)}</name>
          <uuid>{uuid ?? UuidOf(name):D}</uuid>
          <memory unit='MiB'>128</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64'>hvm</type>
            <kernel>{kernel}</kernel>
            <cmdline>console=ttyS0</cmdline>
          </os>
          {extra}
          <devices>
            <serial type='null'/>
          </devices>
        </domain>
        """;

    /// <summary>The same definition with type='qemu' (TCG), which libvirt's own daemon accepts on a host without /dev/kvm.</summary>
    public static string QemuXml(string name, Guid? uuid = null) =>
        Xml(name, uuid).Replace("<domain type='kvm'>", "<domain type='qemu'>", StringComparison.Ordinal);

    /// <summary>A stable uuid per name.</summary>
    public static Guid UuidOf(string name) =>
        new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(name)));
}
