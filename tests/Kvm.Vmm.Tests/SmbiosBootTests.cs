using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;sysinfo type='smbios'&gt;</c> with <c>&lt;smbios mode='sysinfo'/&gt;</c> on real KVM, read as a guest reads
/// it: Debian's kernel finds the tables (a direct boot: its own scan of the F segment; through SeaBIOS: where the BIOS
/// put them from the fw_cfg files), shows the fields under /sys/class/dmi/id, and the whole table, OEM strings
/// included, in /sys/firmware/dmi/tables/DMI.
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SmbiosBootTests
{
    private const string Uuid = "5a1d0e00-3c2b-4a19-8e7f-1234567890ab";
    private const string OemString = "io.example.oem:hello-from-the-host";
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(6);

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        string scratch = Environment.GetEnvironmentVariable("KVM_NESTED_SCRATCH") ?? "/var/tmp";
        _directory = Path.Combine(scratch, $"kvm-vmm-smbios-{Guid.NewGuid():N}");
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
    [TestCase("kernel")]
    [TestCase("seabios")]
    public void Sysinfo_GuestSeesTheValuesInSysfs(string boot)
    {
        const string CommandLine = "console=ttyS0 panic=1 no_timer_check";
        string initrd = DiskGuest.BuildInitramfs(_directory, """
            B=/bin/busybox
            for f in sys_vendor product_name product_version product_serial product_uuid product_family bios_vendor bios_version bios_date board_vendor board_name chassis_vendor chassis_asset_tag; do
              echo "DMI $f=$($B cat /sys/class/dmi/id/$f)"
            done
            echo "TABLE $($B grep -o 'io\.example\.oem:[a-z-]*' /sys/firmware/dmi/tables/DMI)"
            echo "ENTRY $($B head -c 5 /sys/firmware/dmi/tables/smbios_entry_point)"
            $B dmesg | $B grep 'DMI:'
            echo SMBIOS-DONE
            $B poweroff -f
            """, onlyModules: []);
        string os = boot == "kernel"
            ? $"<kernel>{GuestImages.KernelPath()}</kernel><initrd>{initrd}</initrd><cmdline>{CommandLine}</cmdline>"
            : "<boot dev='hd'/>";
        string disk = string.Empty;
        if (boot == "seabios")
        {
            var missing = FirmwareDisk.MissingTools().ToList();
            if (missing.Count > 0 || !File.Exists("/usr/share/seabios/bios-256k.bin"))
            {
                Assert.Fail($"missing {string.Join(", ", missing)}: apt-get install seabios syslinux syslinux-common mtools dosfstools");
            }

            string image = FirmwareDisk.Build(_directory, GuestImages.KernelPath()!, initrd, CommandLine);
            disk = $"<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{image}'/><target dev='vda' bus='virtio'/></disk>";
        }

        string console = Path.Combine(_directory, "console.log");
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>smbios-guest</name>
              <uuid>{Uuid}</uuid>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <sysinfo type='smbios'>
                <bios><entry name='vendor'>Acme BIOS</entry><entry name='version'>2.1</entry><entry name='date'>03/04/2025</entry></bios>
                <system>
                  <entry name='manufacturer'>Acme</entry><entry name='product'>Widget 9000</entry><entry name='version'>v7</entry>
                  <entry name='serial'>ds=nocloud</entry><entry name='uuid'>{Uuid}</entry><entry name='family'>Gadgets</entry>
                </system>
                <baseBoard><entry name='manufacturer'>Board Co</entry><entry name='product'>B-1</entry></baseBoard>
                <chassis><entry name='manufacturer'>Case Co</entry><entry name='asset'>A-42</entry></chassis>
                <oemStrings><entry>{OemString}</entry></oemStrings>
              </sysinfo>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                {os}
                <smbios mode='sysinfo'/>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                {disk}
                <serial type='file'><source path='{console}'/></serial>
              </devices>
            </domain>
            """);
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", xml);
        bool exited = vmm.WaitForExit((int)s_bootTimeout.TotalMilliseconds);
        string output = DiskGuest.ReadConsole(console);
        Assert.That(exited, Is.True, "the guest did not power off in time; its console:\n" + output);
        Assert.That(output, Does.Contain("SMBIOS-DONE"), "the guest did not finish; its console:\n" + output + "\nkvm-vmm:\n" + vmm.StandardError.ReadToEnd());
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain("DMI sys_vendor=Acme\n").Or.Contain("DMI sys_vendor=Acme\r"), output);
            Assert.That(output, Does.Contain("DMI product_name=Widget 9000"));
            Assert.That(output, Does.Contain("DMI product_version=v7"));
            Assert.That(output, Does.Contain("DMI product_serial=ds=nocloud"));
            Assert.That(output, Does.Contain($"DMI product_uuid={Uuid}"), "the domain's UUID, in SMBIOS byte order");
            Assert.That(output, Does.Contain("DMI product_family=Gadgets"));
            Assert.That(output, Does.Contain("DMI bios_vendor=Acme BIOS"), "our type 0, which SeaBIOS keeps");
            Assert.That(output, Does.Contain("DMI bios_version=2.1"));
            Assert.That(output, Does.Contain("DMI bios_date=03/04/2025"));
            Assert.That(output, Does.Contain("DMI board_vendor=Board Co"));
            Assert.That(output, Does.Contain("DMI board_name=B-1"));
            Assert.That(output, Does.Contain("DMI chassis_vendor=Case Co"));
            Assert.That(output, Does.Contain("DMI chassis_asset_tag=A-42"));
            Assert.That(output, Does.Contain($"TABLE {OemString}"), "the OEM string in the table the kernel exposes");
            Assert.That(output, Does.Contain(boot == "kernel" ? "ENTRY _SM3_" : "ENTRY _SM_"), "a direct boot's 64-bit entry point; SeaBIOS's from our 2.1 anchor");
        });
    }
}
