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

    /// <summary>Printed after the report's last line (MemTotal), so a reader knows the whole report has arrived.</summary>
    public const string ReportEnd = "KVM-VMM-INIT-REPORTED";

    public static string? KernelPath()
    {
        string? path = Environment.GetEnvironmentVariable("KVM_NESTED_KERNEL");
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>
    /// The kvm-vmm the process tests run: <c>KVM_VMM</c> when set (.ci/run points it at the NativeAOT build, which is
    /// what an installation ships), else the JIT build beside the tests (or, for the driver's tests, in its artifacts
    /// folder).
    /// </summary>
    public static string VmmPath(string fallback) =>
        Environment.GetEnvironmentVariable("KVM_VMM") is { Length: > 0 } path ? path : fallback;

    /// <summary>Printed by <see cref="WaitForPowerButton"/> once the guest's ACPI power button driver is loaded.</summary>
    public const string PowerButtonReady = "power-button=/dev/input/event";

    /// <summary>Printed by <see cref="WaitForPowerButton"/> when the guest sees a power button press.</summary>
    public const string PowerButtonPressed = "POWER-BUTTON-PRESSED";

    /// <summary>
    /// A final command for <see cref="BuildInitramfs"/>: load the stock kernel's ACPI button and evdev modules, find the
    /// "Power Button" input device, wait for one event from it, say so, and power off. The device is opened before the
    /// ready line is printed: evdev gives a reader only the events that come after its open, so a press sent as soon as
    /// the line appears would otherwise be lost whenever it beats dd's open.
    /// </summary>
    public const string WaitForPowerButton = """
        sh -c '/bin/busybox mount -t devtmpfs dev /dev; /bin/busybox mount -t sysfs sys /sys;
        /bin/busybox insmod /modules/evdev.ko; /bin/busybox insmod /modules/button.ko;
        for e in /sys/class/input/event*; do /bin/busybox grep -q "Power Button" $e/device/name && ev=/dev/input/${e##*/}; done;
        [ -n "$ev" ] && exec 3<$ev; echo "power-button=$ev"; /bin/busybox dd of=/dev/null bs=24 count=1 <&3 2>/dev/null;
        echo POWER-BUTTON-PRESSED; /bin/busybox poweroff -f'
        """;

    /// <summary>The directory of the guest modules the harness provides (KVM_NESTED_MODULES), or null.</summary>
    public static string? ModulesPath()
    {
        string? path = Environment.GetEnvironmentVariable("KVM_NESTED_MODULES");
        return path is not null && File.Exists(Path.Combine(path, "button.ko")) ? path : null;
    }

    /// <summary>
    /// The initramfs; its /init prints the marker, the CPU and socket counts and MemTotal, then runs
    /// <paramref name="finally"/> (a busybox command line). The harness's guest modules go into /modules when present.
    /// </summary>
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
            echo "sockets=$(/bin/busybox grep '^physical id' /proc/cpuinfo | /bin/busybox sort -u | /bin/busybox wc -l)"
            /bin/busybox grep MemTotal /proc/meminfo
            echo "{{ReportEnd}}"
            /bin/busybox {{@finally}}
            """;
        var cpio = new CpioArchive()
            .Directory("bin").Directory("dev").Directory("proc").Directory("sys").Directory("modules")
            .CharDevice("dev/console", 5, 1)
            .File("bin/busybox", File.ReadAllBytes(busybox))
            .File("init", Encoding.ASCII.GetBytes(init.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n"));
        if (ModulesPath() is { } modules)
        {
            foreach (string module in Directory.GetFiles(modules, "*.ko"))
            {
                cpio.File("modules/" + Path.GetFileName(module), File.ReadAllBytes(module));
            }
        }

        byte[] archive = cpio.ToArray();
        string path = Path.Combine(directory, "initramfs.cpio");
        File.WriteAllBytes(path, archive);
        return path;
    }
}
