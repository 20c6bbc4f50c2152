using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Snapshots;

/// <summary>Real images for the snapshot tests, made and read with Debian's qemu-img and qemu-io (qemu-utils).</summary>
internal static class SnapshotImages
{
    public const string QemuImg = "/usr/bin/qemu-img";
    public const string QemuIo = "/usr/bin/qemu-io";

    public static void RequireTools()
    {
        ExternalTool.Require(QemuImg, "qemu-utils");
        ExternalTool.Require(QemuIo, "qemu-utils");
    }

    public static string Create(string directory, string name, string format)
    {
        string path = Path.Combine(directory, name);
        Run(QemuImg, "create", "-q", "-f", format, path, "1M");
        return path;
    }

    /// <summary>Writes <paramref name="pattern"/> over the image's first 64 KiB.</summary>
    public static void Write(string image, string format, byte pattern) =>
        Run(QemuIo, "-f", format, "-c", $"write -P 0x{pattern:x2} 0 64k", image);

    /// <summary>True when the image's first 64 KiB all hold <paramref name="pattern"/> (qemu-io read -P).</summary>
    public static bool Holds(string image, string format, byte pattern)
    {
        (int exit, string stdout, _) = ExternalTool.Run(null, QemuIo, "-f", format, "-c", $"read -P 0x{pattern:x2} 0 64k", image);
        return exit == 0 && !stdout.Contains("Pattern verification failed", StringComparison.Ordinal);
    }

    /// <summary>The names in the image's internal snapshot table (qemu-img snapshot -l).</summary>
    public static string[] InternalSnapshots(string image)
    {
        string output = Run(QemuImg, "snapshot", "-l", "-U", image);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Skip(2) // "Snapshot list:" and the column header
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])
            .ToArray();
    }

    public static string BackingFile(string image)
    {
        string output = Run(QemuImg, "info", "-U", image);
        return output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("backing file:", StringComparison.Ordinal))?["backing file:".Length..].Trim() ?? "";
    }

    public static string DomainXml(string name, string image, string format) => $"""
        <domain type='kvm'>
          <name>{name}</name>
          <uuid>{TestDomains.UuidOf(name):D}</uuid>
          <memory unit='MiB'>128</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64'>hvm</type>
            <kernel>/boot/vmlinuz</kernel>
          </os>
          <devices>
            <disk type='file' device='disk'>
              <driver name='qemu' type='{format}'/>
              <source file='{image}'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <serial type='null'/>
          </devices>
        </domain>
        """;

    private static string Run(string tool, params string[] args)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, tool, args);
        Assert.That(exit, Is.EqualTo(0), $"{tool} {string.Join(' ', args)}: {stderr}{stdout}");
        return stdout;
    }
}
