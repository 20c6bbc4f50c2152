using System.Security.Cryptography;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// <c>&lt;sysinfo type='fwcfg'&gt;</c> on real KVM, as a user would pass data to a guest: Debian's kernel finds the
/// fw_cfg device through its ACPI description (QEMU0002), its own qemu_fw_cfg module reads the entries (the revision
/// says DMA is offered) and the guest prints them, a text and a binary file, from /sys/firmware/qemu_fw_cfg. (Linux
/// 6.1's driver reads a file through the data port, skipping to each page's offset a byte at a time: a file of many
/// pages costs millions of port reads, under any VMM, so the file here is less than a page.)
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FwCfgBootTests
{
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(4);

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-fwcfg-").FullName;
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
    [Test]
    public void SysinfoFwCfg_GuestReadsTheTextAndTheFileFromSysfs()
    {
        var blob = new byte[3000];
        new Random(5).NextBytes(blob);
        string blobPath = Path.Combine(_directory, "blob.bin");
        File.WriteAllBytes(blobPath, blob);
        string console = Path.Combine(_directory, "console.log");
        string xml = Path.Combine(_directory, "guest.xml");
        const string Sysfs = "/sys/firmware/qemu_fw_cfg";
        string initrd = DiskGuest.BuildInitramfs(_directory, $"""
            echo "FWCFG-REV $(/bin/busybox cat {Sysfs}/rev)"
            echo "FWCFG-TEXT $(/bin/busybox cat {Sysfs}/by_name/opt/com.example/greeting/raw)"
            echo "FWCFG-BLOB $(/bin/busybox md5sum {Sysfs}/by_name/opt/com.example/blob/raw)"
            echo "FWCFG-SIZE $(/bin/busybox cat {Sysfs}/by_name/opt/com.example/blob/size)"
            echo FWCFG-DONE
            /bin/busybox poweroff -f
            """);
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>fwcfg-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <sysinfo type='fwcfg'>
                <entry name='opt/com.example/greeting'>hello from the host</entry>
                <entry name='opt/com.example/blob' file='{blobPath}'/>
              </sysinfo>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{initrd}</initrd>
                <cmdline>console=ttyS0 panic=1 no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", xml);
        bool exited = vmm.WaitForExit((int)s_bootTimeout.TotalMilliseconds);
        string output = DiskGuest.ReadConsole(console);
        Assert.That(exited, Is.True, "the guest did not power off in time; its console:\n" + output);
        Assert.That(output, Does.Contain("FWCFG-DONE"), "the guest did not finish; its console:\n" + output + "\nkvm-vmm:\n" + vmm.StandardError.ReadToEnd());
        Assert.That(output, Does.Contain("FWCFG-REV 3"), "the ID: traditional and DMA interfaces");
        Assert.That(output, Does.Contain("FWCFG-TEXT hello from the host"));
        Assert.That(output, Does.Contain($"FWCFG-SIZE {blob.Length}"));
        Assert.That(output, Does.Contain($"FWCFG-BLOB {Convert.ToHexStringLower(MD5.HashData(blob))}"), "the file, byte for byte");
    }
}
