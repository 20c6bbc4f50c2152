using System.Diagnostics;
using Kvm.Driver.Api;
using Kvm.Driver.Tests.Api;
using Kvm.Vmm.Tests;

namespace Kvm.Driver.Tests.EndToEnd;

/// <summary>
/// A user's existing BIOS VM through kvmd's org.libvirt API on real KVM: a domain without <c>&lt;kernel&gt;</c> whose
/// virtio disk holds syslinux, Debian's kernel and an initramfs (an MBR image made from Debian's syslinux, mtools and
/// dosfstools), defined, started (SeaBIOS boots it, its text and the boot loader's on the serial console), shut down
/// with the ACPI power button and undefined with libvirt's NVRAM flag, by python3-dbus (kvmd_firmware.py).
/// The UEFI half of the same walk cannot run here: the harness's outer QEMU 7.2 aborts under OVMF (see the README).
/// </summary>
[Category("Kvm")]
[CancelAfter(1_200_000)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KvmdFirmwareTests
{
    private const string Bios = "/usr/share/seabios/bios-256k.bin";
    private PrivateBus? _bus;
    private Process? _kvmd;
    private string? _directory;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists("/dev/kvm") || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        var missing = FirmwareDisk.MissingTools().ToList();
        if (!File.Exists(Bios))
        {
            missing.Add(Bios);
        }

        if (missing.Count > 0)
        {
            Assert.Fail($"missing {string.Join(", ", missing)}: apt-get install seabios syslinux syslinux-common mtools dosfstools");
        }

        ExternalTool.RequirePythonDBus();
        _bus = PrivateBus.Start();
        _directory = Directory.CreateTempSubdirectory("kvmd-fw-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_directory is null)
        {
            return; // SetUp ignored the test
        }

        if (_kvmd is not null)
        {
            _kvmd.Kill();
            _kvmd.WaitForExit(10_000);
            _kvmd.Dispose();
        }

        using (var pkill = Process.Start("pkill", ["-KILL", "-f", Path.Combine(_directory, "run")]))
        {
            pkill.WaitForExit(10_000);
        }

        _bus?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [EmulatorRetry]
    [Test]
    public async Task BiosDomain_DefineStartShutdownUndefine_OverDBus()
    {
        _kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, _bus!.Address, TimeSpan.FromMinutes(2),
        [
            "--session", "--state-dir", Path.Combine(_directory!, "state"), "--runtime-dir", Path.Combine(_directory!, "run"),
            "--vmm", Executable.KvmVmm.Path, "--vmm-timeout", "300", "--rpc-socket", Path.Combine(_directory!, "virtqemud-sock"),
        ]);
        string staging = Directory.CreateDirectory(Path.Combine(_directory!, "disk")).FullName;
        string initrd = GuestImages.BuildInitramfs(staging, GuestImages.WaitForPowerButton);
        string image = FirmwareDisk.Build(staging, GuestImages.KernelPath()!, initrd, "console=ttyS0 panic=1 no_timer_check");
        string console = Path.Combine(_directory!, "console.log");
        string xml = Path.Combine(_directory!, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>dbus-bios</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <boot dev='hd'/>
              </os>
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
            """);

        string script = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "kvmd_firmware.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(_bus.Address, TimeSpan.FromMinutes(15),
            ExternalTool.Python, script, _bus.Address, LibvirtPaths.Connect, xml, console);

        string guest = File.Exists(console) ? File.ReadAllText(console) : "(no console output)";
        Assert.That((exit, stdout.TrimEnd().Split('\n')[^1]), Is.EqualTo((0, "ok")),
            $"{stdout}\n{stderr}\n--- the guest's console:\n{guest}");
    }
}
