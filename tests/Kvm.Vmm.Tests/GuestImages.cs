using System.Text;

namespace Kvm.Vmm.Tests;

/// <summary>
/// The guest the boot tests run: Debian's stock kernel (the nested-KVM harness exports KVM_NESTED_KERNEL; a
/// machine with /dev/kvm may set it too) and a busybox initramfs built here, whose /init prints a marker, the CPU
/// count and the memory size, then powers off (or does what the test asks instead).
/// </summary>
internal static class GuestImages
{
    public const string Marker = "KVM-VMM-INIT-OK";

    public static string? KernelPath()
    {
        string? path = Environment.GetEnvironmentVariable("KVM_NESTED_KERNEL");
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>The initramfs; its /init ends with <paramref name="finally"/> (a busybox command line).</summary>
    public static string BuildInitramfs(string directory, string @finally = "poweroff -f")
    {
        const string busybox = "/bin/busybox";
        if (!File.Exists(busybox))
        {
            throw new InvalidOperationException("the test initramfs needs a static busybox at /bin/busybox (Debian's busybox-static)");
        }

        string init = $$"""
            #!/bin/busybox sh
            /bin/busybox mount -t proc proc /proc
            echo "{{Marker}}"
            echo "cpus=$(/bin/busybox grep -c ^processor /proc/cpuinfo)"
            /bin/busybox grep MemTotal /proc/meminfo
            /bin/busybox {{@finally}}
            """;
        byte[] archive = new CpioArchive()
            .Directory("bin").Directory("dev").Directory("proc").Directory("sys")
            .CharDevice("dev/console", 5, 1)
            .File("bin/busybox", File.ReadAllBytes(busybox))
            .File("init", Encoding.ASCII.GetBytes(init.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n"))
            .ToArray();
        string path = Path.Combine(directory, "initramfs.cpio");
        File.WriteAllBytes(path, archive);
        return path;
    }
}
