using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// Crash consistency on real KVM: a guest writes to a qcow2 disk without pause (allocating clusters all over it and
/// flushing) and kvm-vmm is killed with SIGKILL in the middle, again and again. After every kill <c>qemu-img check</c>
/// may find leaked clusters but never corruption, and the image boots and reads back whole. CI kills 3 times;
/// <c>KVM_CRASH_KILLS=20</c> (or more) runs the acceptance series.
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VirtioBlockCrashTests
{
    private const string Writing = "GUEST-WRITING";
    private const string ReadOk = "GUEST-READ-OK";

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL and KVM_NESTED_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        if (DiskGuest.Find("qemu-img") is null)
        {
            Assert.Fail("qemu-img is missing: apt-get install qemu-utils");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-crash-").FullName;
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
    public void Qcow2Disk_VmmKilledDuringGuestWrites_CheckFindsNoCorruptionAndTheDiskReadsBack()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("KVM_CRASH_KILLS"), out int n) && n > 0 ? n : 3;
        string image = Path.Combine(_directory, "data.qcow2");
        DiskGuest.Run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=65536", image, "256M");
        string writer = DiskGuest.BuildInitramfs(Path.Combine(_directory, "writer"), $$"""
            for i in $(/bin/busybox seq 1 600); do [ -b /dev/vda ] && break; /bin/busybox sleep 0.1; done
            echo "{{Writing}}"
            i=$$
            while true; do
              /bin/busybox dd if=/dev/urandom of=/dev/vda bs=65536 count=3 seek=$(( (i * 7919) % 4000 )) conv=notrunc,fsync 2>/dev/null
              i=$((i + 1))
            done
            """);
        string reader = DiskGuest.BuildInitramfs(Path.Combine(_directory, "reader"), $$"""
            for i in $(/bin/busybox seq 1 600); do [ -b /dev/vda ] && break; /bin/busybox sleep 0.1; done
            /bin/busybox dd if=/dev/vda of=/dev/null bs=1048576 && echo "{{ReadOk}}"
            /bin/busybox poweroff -f
            """);
        var random = new Random(20261206);
        for (int kill = 1; kill <= kills; kill++)
        {
            string console = Path.Combine(_directory, $"writer-{kill}.log");
            using (var vmm = VmmProcessTests.StartVmm("--domain-xml", DomainXml(kill, image, writer, console)))
            {
                Assert.That(WaitFor(console, Writing, TimeSpan.FromMinutes(4), vmm), Is.True,
                    $"kill {kill}: the writer never started; console:\n{DiskGuest.ReadConsole(console)}\nkvm-vmm:\n{(vmm.HasExited ? vmm.StandardError.ReadToEnd() : "(running)")}");
                Thread.Sleep(random.Next(500, 4000));
                vmm.Kill();
                vmm.WaitForExit();
            }

            var (status, output) = DiskGuest.RunChecked(false, "qemu-img", "check", image);
            Assert.That(status, Is.EqualTo(0).Or.EqualTo(3), $"kill {kill}: qemu-img check exit {status} (2 is corruption):\n{output}");
            TestContext.Out.WriteLine($"kill {kill}: qemu-img check exit {status}");
        }

        // The image still boots and reads back from end to end.
        string last = Path.Combine(_directory, "reader.log");
        using var final = VmmProcessTests.StartVmm("--domain-xml", DomainXml(0, image, reader, last));
        Assert.That(final.WaitForExit((int)TimeSpan.FromMinutes(5).TotalMilliseconds), Is.True, "the reader did not finish; console:\n" + DiskGuest.ReadConsole(last));
        Assert.That(DiskGuest.ReadConsole(last), Does.Contain(ReadOk), DiskGuest.ReadConsole(last) + final.StandardError.ReadToEnd());
        Assert.That(DiskGuest.ReadConsole(last), Does.Not.Contain("I/O error"));
    }

    private string DomainXml(int run, string image, string initrd, string console)
    {
        string xml = Path.Combine(_directory, $"guest-{run}.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>crash-{run}</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{initrd}</initrd>
                <cmdline>console=ttyS0 panic=1 no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='{image}'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <serial type='file'><source path='{console}'/></serial>
              </devices>
            </domain>
            """);
        return xml;
    }

    private static bool WaitFor(string file, string marker, TimeSpan timeout, System.Diagnostics.Process vmm)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !vmm.HasExited)
        {
            if (DiskGuest.ReadConsole(file).Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(200);
        }

        return DiskGuest.ReadConsole(file).Contains(marker, StringComparison.Ordinal);
    }

}
