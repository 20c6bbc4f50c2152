using System.Diagnostics;
using System.Text;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A guest whose root filesystem is on a virtio disk, built from real parts: an ext4 image made by <c>mke2fs -d</c>
/// (e2fsprogs) holding busybox and an init script, and an initramfs that loads Debian's own virtio-pci, virtio-blk and
/// ext4 modules (KVM_NESTED_MODULES) and switches to the disk named by <c>root=</c>, as a distribution's initramfs does.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class DiskGuest
{
    public const string RootMarker = "ROOT-ON-DISK";
    public const string DoneMarker = "DISK-WRITE-DONE";
    public const string WrittenFile = "/written-by-guest.txt";
    public const string WrittenText = "hello from the guest";

    /// <summary>The initramfs: modules in order, wait for the root device, mount it, switch_root to its /sbin/init-disk.</summary>
    public static string BuildInitramfs(string directory) => BuildInitramfs(directory, """
            root=$(/bin/busybox sed -n 's/.*root=\([^ ]*\).*/\1/p' /proc/cmdline)
            for i in $(/bin/busybox seq 1 600); do [ -b "$root" ] && break; /bin/busybox sleep 0.1; done
            /bin/busybox mkdir -p /newroot
            /bin/busybox mount -t ext4 "$root" /newroot || { echo "cannot mount $root"; /bin/busybox ls /dev; /bin/busybox poweroff -f; }
            /bin/busybox umount /proc /sys
            /bin/busybox mount --move /dev /newroot/dev
            exec /bin/busybox switch_root /newroot /sbin/init-disk
            """);

    /// <summary>
    /// An initramfs whose /init mounts proc, sys and dev, loads the harness's modules in order, then those of
    /// <paramref name="extraModules"/> (a directory with an "order" file, such as KVM_NESTED_NET_MODULES) when given,
    /// then runs <paramref name="script"/>. <paramref name="hostFiles"/> (absolute paths of this machine, such as a
    /// tool and its libraries from <see cref="WithLibraries"/>) go into the initramfs at the same paths;
    /// <paramref name="onlyModules"/>, when given, keeps just those of the harness's modules (their order kept): a
    /// guest that needs no disk skips ext4 and its kin, which take seconds to load under the emulator.
    /// </summary>
    public static string BuildInitramfs(string directory, string script, string? extraModules = null, IEnumerable<string>? hostFiles = null,
        IReadOnlyCollection<string>? onlyModules = null)
    {
        string modules = GuestImages.ModulesPath() ?? throw new InvalidOperationException("KVM_NESTED_MODULES is not set");
        string init = """
            #!/bin/busybox sh
            /bin/busybox mount -t proc proc /proc
            /bin/busybox mount -t sysfs sys /sys
            /bin/busybox mount -t devtmpfs dev /dev
            for m in $(/bin/busybox cat /modules/order); do /bin/busybox insmod /modules/$m.ko || echo "insmod $m failed"; done
            [ -f /modules/extra/order ] && for m in $(/bin/busybox cat /modules/extra/order); do /bin/busybox insmod /modules/extra/$m.ko || echo "insmod $m failed"; done

            """ + script;
        var cpio = new CpioArchive()
            .Directory("bin").Directory("dev").Directory("proc").Directory("sys").Directory("modules")
            .CharDevice("dev/console", 5, 1)
            .File("bin/busybox", File.ReadAllBytes("/bin/busybox"))
            .File("init", Encoding.ASCII.GetBytes(init.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n"))
            .File("modules/order", Encoding.ASCII.GetBytes(string.Join('\n', File.ReadAllLines(Path.Combine(modules, "order"))
                .Where(m => onlyModules is null || onlyModules.Contains(m))) + "\n"));
        foreach (string module in Directory.GetFiles(modules, "*.ko").Where(m => onlyModules is null || onlyModules.Contains(Path.GetFileNameWithoutExtension(m))))
        {
            cpio.File("modules/" + Path.GetFileName(module), File.ReadAllBytes(module));
        }

        if (extraModules is not null)
        {
            cpio.Directory("modules/extra").File("modules/extra/order", File.ReadAllBytes(Path.Combine(extraModules, "order")));
            foreach (string module in Directory.GetFiles(extraModules, "*.ko"))
            {
                cpio.File("modules/extra/" + Path.GetFileName(module), File.ReadAllBytes(module));
            }
        }

        var directories = new HashSet<string>(["bin", "dev", "proc", "sys", "modules", "modules/extra"]);
        foreach (string file in hostFiles ?? [])
        {
            string name = file.TrimStart('/');
            foreach (string level in Ancestors(Path.GetDirectoryName(name) ?? string.Empty))
            {
                if (directories.Add(level))
                {
                    cpio.Directory(level);
                }
            }

            cpio.File(name, File.ReadAllBytes(file));
        }

        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "disk-initramfs.cpio");
        File.WriteAllBytes(path, cpio.ToArray());
        return path;
    }

    /// <summary>
    /// A dynamically linked tool of this machine and every shared library it loads (as <c>ldd</c> lists them, with the
    /// dynamic loader), for <see cref="BuildInitramfs(string, string, string?, IEnumerable{string}?)"/>.
    /// </summary>
    public static IReadOnlyList<string> WithLibraries(string tool)
    {
        var (_, output) = Run("ldd", tool);
        var files = new List<string> { tool };
        foreach (string line in output.Split('\n'))
        {
            string[] parts = line.Trim().Split(' ');
            string? library = parts.Length >= 3 && parts[1] == "=>" ? parts[2] : parts[0].StartsWith('/') ? parts[0] : null;
            if (library is not null && File.Exists(library) && !files.Contains(library))
            {
                files.Add(library);
            }
        }

        return files;
    }

    /// <summary>The directory path's levels from the top down ("a/b/c": "a", "a/b", "a/b/c").</summary>
    private static IEnumerable<string> Ancestors(string directory)
    {
        string[] parts = directory.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 1; i <= parts.Length; i++)
        {
            yield return string.Join('/', parts[..i]);
        }
    }

    /// <summary>
    /// A raw ext4 image of <paramref name="megabytes"/> MiB whose /sbin/init-disk reports the PCI functions it sees,
    /// writes a file and 4 MiB of random data (printing its md5), remounts read-only (a clean shutdown's checkpoint)
    /// and powers off.
    /// </summary>
    public static string BuildRootImage(string directory, string name, int megabytes = 64)
    {
        string root = Path.Combine(directory, name + ".root");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "sbin"));
        foreach (string dir in new[] { "dev", "proc", "sys", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }

        File.Copy("/bin/busybox", Path.Combine(root, "bin", "busybox"));
        string init = $$"""
            #!/bin/busybox sh
            B=/bin/busybox
            $B mount -t proc proc /proc
            $B mount -t sysfs sys /sys
            echo "{{RootMarker}} $($B grep ' / ' /proc/mounts)"
            for d in /sys/bus/pci/devices/*; do echo "pci ${d##*/} $($B cat $d/vendor) $($B cat $d/device)"; done
            [ -c /dev/hwrng ] && echo "hwrng $($B cat /sys/class/misc/hw_random/rng_current) $($B dd if=/dev/hwrng bs=16 count=1 2>/dev/null | $B od -An -tx1 | $B tr -d ' \n')"
            echo "{{WrittenText}}" > {{WrittenFile}}
            $B dd if=/dev/urandom of=/data.bin bs=1M count=4 2>/dev/null
            echo "md5 $($B md5sum /data.bin)"
            $B grep virtio /proc/interrupts | $B sed 's/^/intr /'
            $B sync
            $B mount -o remount,ro /
            echo "{{DoneMarker}}"
            $B poweroff -f
            """;
        string initPath = Path.Combine(root, "sbin", "init-disk");
        File.WriteAllText(initPath, init.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(initPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.Combine(root, "bin", "busybox"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        string image = Path.Combine(directory, name + ".raw");
        Run("mke2fs", "-q", "-F", "-t", "ext4", "-d", root, image, $"{megabytes}M");
        return image;
    }

    /// <summary>A console file the VMM may still be writing; empty while it does not exist yet.</summary>
    public static string ReadConsole(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>A file of the ext4 image, read by debugfs (e2fsprogs) without mounting it.</summary>
    public static byte[] ReadFile(string rawImage, string path, string directory)
    {
        string output = Path.Combine(directory, "dumped-" + Path.GetFileName(path));
        File.Delete(output);
        Run("debugfs", "-R", $"dump {path} {output}", rawImage);
        return File.Exists(output) ? File.ReadAllBytes(output) : [];
    }

    /// <summary>Runs a tool and returns its output; throws with its output when it fails.</summary>
    public static (int Status, string Output) Run(string tool, params string[] arguments) => RunChecked(true, tool, arguments);

    public static (int Status, string Output) RunChecked(bool check, string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string all = stdout + stderr.Result;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {all}");
        }

        return (process.ExitCode, all);
    }

    /// <summary>The tool's path, or null when it is not installed.</summary>
    public static string? Find(string tool) =>
        new[] { "/usr/bin", "/usr/sbin", "/sbin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
