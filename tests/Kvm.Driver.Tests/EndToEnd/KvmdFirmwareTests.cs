using Kvm.Vmm.Tests;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// A user's existing BIOS VM through kvmd's org.libvirt API on real KVM: a domain without <c>&lt;kernel&gt;</c> whose
/// virtio disk holds syslinux, Debian's kernel and an initramfs (an MBR image made from Debian's syslinux, mtools and
/// dosfstools), defined, started (SeaBIOS boots it, its text and the boot loader's on the serial console), shut down
/// with the ACPI power button and undefined with libvirt's NVRAM flag, by python3-dbus (kvmd_firmware.py).
/// The UEFI half: <c>&lt;os firmware='efi'&gt;</c>, which kvmd resolves from QEMU's firmware descriptors, creating the
/// domain's NVRAM from the template at start and removing it at undefine; OVMF boots GRUB from a GPT disk's ESP. It runs
/// where the harness's outer emulator survives OVMF (tools/nested-kvm/outer-qemu/build.sh).
/// </summary>
[Category("Kvm")]
[CancelAfter(1_200_000)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KvmdFirmwareTests
{
    private const string Bios = "/usr/share/seabios/bios-256k.bin";
    private KvmdOnPrivateBus? _kvmd;

    [SetUp]
    public void SetUp()
    {
        _kvmd = KvmdOnPrivateBus.Create("kvmd-fw-");
        var missing = FirmwareDisk.MissingTools().ToList();
        if (!File.Exists(Bios))
        {
            missing.Add(Bios);
        }

        if (missing.Count > 0)
        {
            Assert.Fail($"missing {string.Join(", ", missing)}: apt-get install seabios syslinux syslinux-common mtools dosfstools");
        }
    }

    [TearDown]
    public void TearDown() => _kvmd?.Dispose();

    [EmulatorRetry]
    [Test]
    public async Task BiosDomain_DefineStartShutdownUndefine_OverDBus()
    {
        await _kvmd!.StartKvmdAsync();
        string staging = Directory.CreateDirectory(Path.Combine(_kvmd.Directory, "disk")).FullName;
        string initrd = GuestImages.BuildInitramfs(staging, GuestImages.WaitForPowerButton);
        string image = FirmwareDisk.Build(staging, GuestImages.KernelPath()!, initrd, "console=ttyS0 panic=1 no_timer_check");
        string console = Path.Combine(_kvmd.Directory, "console.log");
        string xml = Path.Combine(_kvmd.Directory, "guest.xml");
        File.WriteAllText(xml, DomainXml("dbus-bios", 256, "<os>\n    <type arch='x86_64' machine='pc'>hvm</type>", image, console));

        _kvmd.RunScript("kvmd_firmware.py", xml, console, TimeSpan.FromMinutes(15));
    }

    [EmulatorRetry]
    [Test]
    public async Task UefiDomain_DefineStartShutdownUndefineWithNvram_OverDBus()
    {
        if (Environment.GetEnvironmentVariable("KVM_NESTED_EMULATED") == "1" && Environment.GetEnvironmentVariable("KVM_NESTED_OUTER_UEFI") != "1")
        {
            Assert.Ignore("the harness's outer emulator is Debian's QEMU, which aborts when a nested guest runs OVMF: "
                + "run the harness with KVM_NESTED_QEMU from tools/nested-kvm/outer-qemu/build.sh");
        }

        var missing = UefiDisk.MissingTools().ToList();
        if (missing.Count > 0 || !File.Exists("/usr/share/qemu/firmware/60-edk2-x86_64.json"))
        {
            Assert.Fail($"missing {string.Join(", ", missing.DefaultIfEmpty("OVMF's firmware descriptors"))}: apt-get install ovmf grub-efi-amd64-bin mtools dosfstools");
        }

        await _kvmd!.StartKvmdAsync();
        string staging = Directory.CreateDirectory(Path.Combine(_kvmd.Directory, "disk")).FullName;
        string initrd = GuestImages.BuildInitramfs(staging, GuestImages.WaitForPowerButton);
        string image = UefiDisk.Build(staging, GuestImages.KernelPath()!, initrd, "console=ttyS0 panic=1 no_timer_check");
        string console = Path.Combine(_kvmd.Directory, "console.log");
        string xml = Path.Combine(_kvmd.Directory, "guest.xml");
        File.WriteAllText(xml, DomainXml("dbus-uefi", 512, "<os firmware='efi'>\n    <type arch='x86_64' machine='q35'>hvm</type>", image, console));

        _kvmd.RunScript("kvmd_firmware.py", xml, console, TimeSpan.FromMinutes(15), UefiDisk.LoaderLine, "efi: EFI v");
    }

    /// <summary>A firmware domain: <paramref name="os"/> opens its &lt;os&gt; (the rest boots the hard disk), one virtio disk, a serial file.</summary>
    private static string DomainXml(string name, int memoryMiB, string os, string image, string console) => $"""
        <domain type='kvm'>
          <name>{name}</name>
          <memory unit='MiB'>{memoryMiB}</memory>
          <vcpu>1</vcpu>
          {os}
            <boot dev='hd'/>
          </os>
          <features><acpi/></features>
          <on_poweroff>destroy</on_poweroff>
          <devices>
            <disk type='file' device='disk'>
              <driver name='qemu' type='raw'/>
              <source file='{image}'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <serial type='file'><source path='{console}'/></serial>
          </devices>
        </domain>
        """;
}
