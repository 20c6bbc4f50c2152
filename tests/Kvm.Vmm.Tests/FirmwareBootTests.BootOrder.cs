using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// Boot order: of two bootable disks, SeaBIOS boots the one whose <c>&lt;boot order&gt;</c> comes first; with
/// <c>&lt;bootmenu enable='yes'&gt;</c> it offers its menu for the XML's timeout first.
/// </summary>
public sealed partial class FirmwareBootTests
{
    [EmulatorRetry]
    [Test]
    public void SeaBios_TwoBootableDisksAndABootMenu_BootsTheOneTheBootOrderNamesFirst()
    {
        string initrd = DiskGuest.BuildInitramfs(_directory, $$"""
            B=/bin/busybox
            echo "cmdline $($B cat /proc/cmdline)"
            echo "{{DoneMarker}}"
            $B poweroff -f
            """);
        string[] images = new string[2];
        for (int i = 0; i < images.Length; i++)
        {
            string directory = Directory.CreateDirectory(Path.Combine(_directory, $"disk{i}")).FullName;
            images[i] = FirmwareDisk.Build(directory, GuestImages.KernelPath()!, initrd, $"console=ttyS0 panic=1 no_timer_check boot-disk={i}", megabytes: 32);
        }

        string console = Path.Combine(_directory, "console.log");
        string xml = Path.Combine(_directory, "guest.xml");
        // vda (slot 5) would be the BIOS's own first choice; the boot order puts vdb (slot 6) first.
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>boot-order-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <bootmenu enable='yes' timeout='200'/>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='{images[0]}'/>
                  <target dev='vda' bus='virtio'/>
                  <boot order='2'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
                </disk>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='{images[1]}'/>
                  <target dev='vdb' bus='virtio'/>
                  <boot order='1'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/>
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
        Assert.That(output, Does.Contain(DoneMarker), "the guest did not finish; its console:\n" + output + "\nkvm-vmm:\n" + vmm.StandardError.ReadToEnd());
        Assert.That(output, Does.Contain("boot-disk=1"), "the kernel came from vdb, first in the boot order");
        Assert.That(output, Does.Not.Contain("boot-disk=0"));
        Assert.That(output, Does.Contain(BootMenuPrompt), "<bootmenu enable='yes'>: the BIOS offers its menu");
    }
}
