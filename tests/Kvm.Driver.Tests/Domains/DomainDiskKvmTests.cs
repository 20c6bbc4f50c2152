using Kvm.Driver.Domains;
using Kvm.Vmm.Tests;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// A domain with a virtio disk through kvmd on real KVM (run inside tools/nested-kvm/nested-kvm.sh): the PCI address
/// given at define time, the block stats the guest's reads produce, and a BlockResize the guest sees.
/// </summary>
[Category("Kvm")]
[CancelAfter(900_000)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DomainDiskKvmTests
{
    private static readonly CancellationToken s_none = CancellationToken.None;
    private ManagerFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        if (!File.Exists("/dev/kvm") || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _f = new ManagerFixture(Executable.KvmVmm.Path, connectTimeout: TimeSpan.FromMinutes(4));
        await _f.Manager.InitializeAsync(s_none);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [EmulatorRetry]
    [Test]
    public async Task VirtioDisk_AddressStatsAndResize_ThroughKvmd()
    {
        string image = Path.Combine(_f.Root, "data.raw");
        using (var file = File.Create(image))
        {
            file.SetLength(16 << 20);
        }

        string console = Path.Combine(_f.Root, "disky.console");
        string initrd = DiskGuest.BuildInitramfs(Path.Combine(_f.Root, "initrd"), """
            for i in $(/bin/busybox seq 1 600); do [ -b /dev/vda ] && break; /bin/busybox sleep 0.1; done
            /bin/busybox dd if=/dev/vda of=/dev/null bs=4096 count=512 2>/dev/null
            echo "DISK-READ $(/bin/busybox cat /sys/block/vda/size)"
            old=$(/bin/busybox cat /sys/block/vda/size)
            while [ "$(/bin/busybox cat /sys/block/vda/size)" = "$old" ]; do /bin/busybox sleep 0.2; done
            echo "DISK-RESIZED $(/bin/busybox cat /sys/block/vda/size)"
            /bin/busybox sleep 600
            """);
        string xml = $"""
            <domain type='kvm'>
              <name>disky</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{initrd}</initrd>
                <cmdline>console=ttyS0 panic=1 no_timer_check</cmdline>
              </os>
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
        var uuid = _f.Manager.Define(xml).Uuid;
        Assert.That(_f.Manager.GetXmlDesc(uuid, DomainXmlFlags.Inactive), Does.Contain("<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>"));
        var idle = await _f.Manager.GetBlockStatsAsync(uuid, s_none);
        Assert.That(idle.Single(), Is.EqualTo(new DomainBlockStats("vda", image)), "an inactive domain: names only");

        await _f.Manager.StartAsync(uuid, s_none);
        Assert.That(await WaitForAsync(console, "DISK-READ 32768"), Is.True, "the guest did not read its disk; console:\n" + DiskGuest.ReadConsole(console));
        var stats = (await _f.Manager.GetBlockStatsAsync(uuid, s_none)).Single();
        Assert.That(stats.HasCounters, Is.True);
        Assert.That(stats.ReadBytes, Is.GreaterThanOrEqualTo(2UL << 20), "the guest's dd went through the VMM");
        Assert.That(stats.ReadRequests, Is.GreaterThan(0UL));
        Assert.That(stats.Capacity, Is.EqualTo(16UL << 20));

        await _f.Manager.BlockResizeAsync(uuid, "vda", 32 * 1024, 0, s_none);
        Assert.That(await WaitForAsync(console, "DISK-RESIZED 65536"), Is.True, "the guest did not see the new size; console:\n" + DiskGuest.ReadConsole(console));
        Assert.That(new FileInfo(image).Length, Is.EqualTo(32L << 20));
        Assert.That(await _f.Manager.GetDiskErrorsAsync(uuid, s_none), Is.Empty);
        var e = await Assert.ThrowsAsync<DomainOperationException>(async () => await _f.Manager.BlockResizeAsync(uuid, "vdz", 1, 0, s_none));
        Assert.That(e!.Message, Is.EqualTo("invalid argument: disk 'vdz' was not found in the domain config"));
        await _f.Manager.DestroyAsync(uuid, s_none);
    }

    private static async Task<bool> WaitForAsync(string file, string marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            if (DiskGuest.ReadConsole(file).Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }

}
