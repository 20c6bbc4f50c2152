using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// kvm-vmm runs a domain whose root filesystem is a virtio disk, on real KVM, as a user would: Debian's kernel with its
/// own virtio_pci, virtio_blk and ext4 modules mounts /dev/vda read-write, writes a file and random data and powers
/// off; the host then reads them back out of the image with e2fsprogs and qemu-img. One case runs on a q35 machine
/// (the Q35 MCH and ICH9, ECAM for 256 buses through MCFG, the FADT on the ICH9's PM block), the others on pc.
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class VirtioBlockBootTests
{
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(5);

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        foreach (string tool in new[] { "mke2fs", "debugfs", "qemu-img" })
        {
            if (DiskGuest.Find(tool) is null)
            {
                Assert.Fail($"{tool} is missing: apt-get install e2fsprogs qemu-utils");
            }
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-disk-").FullName;
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
    [TestCase("raw", "writeback", "", "pc")]
    [TestCase("qcow2", "none", "", "pc")]
    [TestCase("qcow2-over-raw", "writeback", "", "pc-q35-7.2")]
    [TestCase("raw", "none", "pci=nomsi", "pc")]
    public void RootOnVirtioDisk_GuestWritesAndPowersOff_HostReadsTheFilesBack(string layout, string cache, string extraCmdline, string machine)
    {
        // cache='none' opens the images with O_DIRECT (reads and writes then go through Linux AIO), which needs a real
        // file system: the harness's scratch disk (ext4) when there is one, else /var/tmp. pci=nomsi: the guest
        // takes virtio's interrupts through INTx and the DSDT's _PRT, not MSI-X.
        if (cache == "none")
        {
            string scratch = Environment.GetEnvironmentVariable("KVM_NESTED_SCRATCH") ?? "/var/tmp";
            Directory.Delete(_directory, recursive: true);
            _directory = Path.Combine(scratch, $"kvm-vmm-disk-{Guid.NewGuid():N}");
            Directory.CreateDirectory(_directory);
        }

        string baseImage = DiskGuest.BuildRootImage(_directory, "root");
        string image = baseImage;
        string format = "raw";
        string? baseHash = null;
        if (layout == "qcow2")
        {
            image = Path.Combine(_directory, "root.qcow2");
            DiskGuest.Run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", baseImage, image);
            format = "qcow2";
        }
        else if (layout == "qcow2-over-raw")
        {
            image = Path.Combine(_directory, "overlay.qcow2");
            DiskGuest.Run("qemu-img", "create", "-q", "-f", "qcow2", "-b", baseImage, "-F", "raw", image);
            format = "qcow2";
            baseHash = Hash(baseImage);
        }

        string console = Path.Combine(_directory, "console.log");
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>disk-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='{machine}'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{DiskGuest.BuildInitramfs(_directory)}</initrd>
                <cmdline>console=ttyS0 root=/dev/vda rw panic=1 no_timer_check {extraCmdline}</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='{format}' cache='{cache}' discard='unmap'/>
                  <source file='{image}'/>
                  <target dev='vda' bus='virtio'/>
                  <serial>disk-serial-1</serial>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
                </disk>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
                <rng model='virtio'>
                  <rate bytes='4096' period='1000'/>
                  <backend model='random'>/dev/urandom</backend>
                </rng>
              </devices>
            </domain>
            """);
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", xml);
        bool exited = vmm.WaitForExit((int)s_bootTimeout.TotalMilliseconds);
        string output = File.Exists(console) ? File.ReadAllText(console) : "(no console file)";
        Assert.That(exited, Is.True, "the guest did not power off in time; its console:\n" + output);
        string log = vmm.StandardError.ReadToEnd();
        Assert.That(vmm.ExitCode, Is.EqualTo(0), log);
        Assert.That(output, Does.Contain(DiskGuest.DoneMarker), "the guest did not finish; its console:\n" + output + "\nkvm-vmm:\n" + log);
        Assert.That(output, Does.Match(DiskGuest.RootMarker + @" /dev/vda / ext4 rw"), "the root filesystem is the virtio disk, mounted read-write");
        Assert.That(output, Does.Contain("pci 0000:00:05.0 0x1af4 0x1042"), "virtio-blk at the slot its XML names");
        if (machine == "pc")
        {
            Assert.That(output, Does.Contain("pci 0000:00:00.0 0x8086 0x1237"), "the host bridge, an i440FX");
            Assert.That(output, Does.Contain("pci 0000:00:01.0 0x8086 0x7000"), "the PIIX ISA bridge");
            Assert.That(output, Does.Contain("pci 0000:00:01.3 0x8086 0x7113"), "the PIIX4 power management, found behind the multi-function ISA bridge");
        }
        else
        {
            Assert.That(output, Does.Contain("pci 0000:00:00.0 0x8086 0x29c0"), "the host bridge, a Q35 MCH");
            Assert.That(output, Does.Contain("pci 0000:00:1f.0 0x8086 0x2918"), "the ICH9 LPC bridge");
            Assert.That(output, Does.Contain("PCI: MMCONFIG for domain 0000 [bus 00-ff] at [mem 0xb0000000-0xbfffffff]"), "ECAM for 256 buses, from MCFG");
            Assert.That(output, Does.Contain("ACPI: PM-Timer IO Port: 0x608"), "the FADT's PM timer, in the ICH9's PM block");
        }

        Assert.That(output, Does.Contain("pci 0000:00:02.0 0x1af4 0x1044"), "virtio-rng in the first free slot");
        Assert.That(output, Does.Match(@"hwrng virtio_rng\.0 [0-9a-f]{32}"), "the guest reads /dev/hwrng");
        if (extraCmdline.Contains("pci=nomsi", StringComparison.Ordinal))
        {
            // Slot 5's INTA: GSI 20 + (5 + 0) mod 4 = 21, level-triggered (fasteoi), and it fired.
            Assert.That(output, Does.Match(@"intr\s+\d+:\s+[1-9]\d*\s+IO-APIC\s+21-fasteoi\s+virtio"), "virtio-blk's INTx, routed by the _PRT");
        }

        // What the guest wrote, read back on the host: through qemu-img for qcow2 (checked first), directly for raw.
        string raw = image;
        if (format == "qcow2")
        {
            var (status, check) = DiskGuest.RunChecked(false, "qemu-img", "check", image);
            Assert.That(status, Is.EqualTo(0), "qemu-img check:\n" + check);
            raw = Path.Combine(_directory, "readback.raw");
            DiskGuest.Run("qemu-img", "convert", "-O", "raw", image, raw);
            Assert.That(DiskGuest.RunChecked(false, "qemu-img", "compare", "-f", "qcow2", "-F", "raw", image, raw).Status, Is.EqualTo(0));
        }

        Assert.That(System.Text.Encoding.ASCII.GetString(DiskGuest.ReadFile(raw, DiskGuest.WrittenFile, _directory)),
            Is.EqualTo(DiskGuest.WrittenText + "\n"));
        string md5 = Md5Line().Match(output).Groups[1].Value;
        byte[] data = DiskGuest.ReadFile(raw, "/data.bin", _directory);
        Assert.That(data, Has.Length.EqualTo(4 << 20));
        Assert.That(Convert.ToHexStringLower(MD5.HashData(data)), Is.EqualTo(md5), "the random data the guest wrote");
        if (baseHash is not null)
        {
            Assert.That(Hash(baseImage), Is.EqualTo(baseHash), "the raw base under the overlay is untouched");
        }
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    [GeneratedRegex(@"md5 ([0-9a-f]{32})")]
    private static partial Regex Md5Line();
}
