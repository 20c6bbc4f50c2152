using System.Globalization;
using System.Text.RegularExpressions;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// kvm-vmm boots an installed disk through firmware, on real KVM, as a libvirt domain without <c>&lt;kernel&gt;</c>
/// does: Debian's SeaBIOS (the default BIOS) reads the MBR of a virtio disk, syslinux loads Debian's kernel and an
/// initramfs from the disk's FAT partition through the BIOS's disk services, and the kernel finds the machine as the
/// BIOS left it (its PCI BAR placement, its ACPI tables from our loader script) and writes to the disk.
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class FirmwareBootTests
{
    private const string Bios = "/usr/share/seabios/bios-256k.bin";
    private const string CommandLineMarker = "fw-boot-marker=42";
    private const string WrittenText = "FIRMWARE-BOOTED-GUEST-WROTE-THIS";
    private const string DoneMarker = "FIRMWARE-GUEST-DONE";
    private const string BootMenuPrompt = "Press ESC for boot menu";
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(6);

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        var missing = FirmwareDisk.MissingTools().ToList();
        if (!File.Exists(Bios))
        {
            missing.Add(Bios);
        }

        if (DiskGuest.Find("qemu-img") is null)
        {
            missing.Add("qemu-img");
        }

        if (missing.Count > 0)
        {
            Assert.Fail($"missing {string.Join(", ", missing)}: apt-get install seabios syslinux syslinux-common mtools dosfstools qemu-utils");
        }

        string scratch = Environment.GetEnvironmentVariable("KVM_NESTED_SCRATCH") ?? "/var/tmp";
        _directory = Path.Combine(scratch, $"kvm-vmm-firmware-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown()
    {
        VmmProcessTests.KillLeftoverVmms();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [EmulatorRetry]
    // Two vCPUs once (SeaBIOS wakes the second with INIT/SIPI and parks it), one in the other case: the emulated
    // environment's SVM now and then crashes the outer guest's kernel while SeaBIOS starts an AP.
    [TestCase("raw", "writeback", "pc", 2)]
    [TestCase("qcow2", "none", "q35", 1)]
    public void SeaBios_BootsSyslinuxFromTheVirtioDisk_TheKernelWritesToIt(string format, string cache, string machine, int vcpus)
    {
        string initrd = DiskGuest.BuildInitramfs(_directory, $$"""
            B=/bin/busybox
            echo "cmdline $($B cat /proc/cmdline)"
            for i in $($B seq 1 600); do [ -b /dev/vda ] && break; $B sleep 0.1; done
            for d in /sys/bus/pci/devices/*; do echo "pci ${d##*/} $($B cat $d/vendor) $($B cat $d/device) bar $($B grep -v '^0x0000000000000000 ' $d/resource | $B head -n 1)"; done
            echo "window-complaints $($B dmesg | $B grep -c 'no compatible bridge window')"
            echo "acpi $($B dmesg | $B grep -o 'ACPI: RSDP 0x[0-9A-F]*' | $B head -n 1)"
            echo "mbr-signature $($B dd if=/dev/vda bs=1 skip=510 count=2 2>/dev/null | $B od -An -tx1 | $B tr -d ' \n')"
            last=$(( $($B cat /sys/block/vda/size) - 1 ))
            echo "{{WrittenText}}" | $B dd of=/dev/vda bs=512 seek=$last conv=sync,fsync 2>/dev/null
            echo "{{DoneMarker}}"
            $B poweroff -f
            """);
        string image = FirmwareDisk.Build(_directory, GuestImages.KernelPath()!, initrd,
            $"console=ttyS0 panic=1 no_timer_check {CommandLineMarker}");
        if (format == "qcow2")
        {
            string qcow2 = Path.Combine(_directory, "boot.qcow2");
            DiskGuest.Run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", image, qcow2);
            image = qcow2;
        }

        string console = Path.Combine(_directory, "console.log");
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>firmware-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>{vcpus}</vcpu>
              <os>
                <type arch='x86_64' machine='{machine}'>hvm</type>
                <boot dev='hd'/>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='{format}' cache='{cache}'/>
                  <source file='{image}'/>
                  <target dev='vda' bus='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
                </disk>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", xml);
        bool exited = vmm.WaitForExit((int)s_bootTimeout.TotalMilliseconds);
        string output = File.Exists(console) ? File.ReadAllText(console) : "(no console file)";
        Assert.That(exited, Is.True, "the guest did not power off in time; its console:\n" + output);
        string log = vmm.StandardError.ReadToEnd();
        Assert.That(vmm.ExitCode, Is.EqualTo(0), log);
        Assert.That(output, Does.Contain("SeaBIOS"), "the BIOS ran, with COM1 as its screen");
        Assert.That(output, Does.Contain("Booting from Hard Disk"), "the BIOS booted the virtio disk");
        Assert.That(output, Does.Contain("SYSLINUX 6."), "the boot loader's banner on the serial console");
        Assert.That(output, Does.Not.Contain(BootMenuPrompt), "no <bootmenu>: no menu and no wait, as under QEMU");
        Assert.That(output, Does.Contain(DoneMarker), "the guest did not finish; its console:\n" + output + "\nkvm-vmm:\n" + log);
        Assert.That(output, Does.Contain(CommandLineMarker), "syslinux passed its APPEND line to the kernel");
        Assert.That(output, Does.Contain("mbr-signature 55aa"), "the kernel reads the disk the BIOS booted");
        Assert.That(output, Does.Contain("window-complaints 0"), "every BAR the BIOS placed lies in a window of the DSDT's _CRS");
        Assert.That(output, Does.Match(@"acpi ACPI: RSDP 0x0*F[0-9A-F]{4}\b"), "the BIOS put our RSDP in the F segment, as the loader script asks");

        if (machine == "q35")
        {
            // SeaBIOS found the Q35 MCH, programmed PCIEXBAR itself, and the kernel uses ECAM for 256 buses from MCFG.
            Assert.That(output, Does.Contain("pci 0000:00:00.0 0x8086 0x29c0"), "the host bridge, a Q35 MCH");
            Assert.That(output, Does.Contain("pci 0000:00:1f.0 0x8086 0x2918"), "the ICH9 LPC bridge");
            Assert.That(output, Does.Contain("PCI: MMCONFIG for domain 0000 [bus 00-ff] at [mem 0xb0000000-0xbfffffff]"), "ECAM from MCFG");
        }

        // The BIOS, not kvm-vmm, placed virtio-blk's BAR: SeaBIOS allocates from the top of the 32-bit space down,
        // above ECAM (0xE0000000 on pc, 0xB0000000 on q35); kvm-vmm's own placement (for a direct kernel boot) starts at
        // 0xC0000000 and goes up.
        var bar = BarLine().Match(output);
        Assert.That(bar.Success, Is.True, "virtio-blk at the slot its XML names, with a BAR; console:\n" + output);
        ulong address = ulong.Parse(bar.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.That(address, Is.InRange(machine == "q35" ? 0xf000_0000UL : 0xe010_0000UL, 0xfebf_ffffUL), $"the BAR at 0x{address:x}");

        string raw = image;
        if (format == "qcow2")
        {
            var (status, check) = DiskGuest.RunChecked(false, "qemu-img", "check", image);
            Assert.That(status, Is.EqualTo(0), "qemu-img check:\n" + check);
            raw = Path.Combine(_directory, "readback.raw");
            DiskGuest.Run("qemu-img", "convert", "-O", "raw", image, raw);
        }

        using var stream = File.OpenRead(raw);
        stream.Seek(-512, SeekOrigin.End);
        var sector = new byte[512];
        stream.ReadExactly(sector);
        Assert.That(System.Text.Encoding.ASCII.GetString(sector, 0, WrittenText.Length), Is.EqualTo(WrittenText), "what the guest wrote to the disk's last sector");
    }

    [GeneratedRegex(@"pci 0000:00:05\.0 0x1af4 0x1042 bar 0x0*([0-9a-f]+) ")]
    private static partial Regex BarLine();
}
