using System.Net.Sockets;
using System.Text;
using Kvm.Qmp.Client;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A guest's serial console on a Unix socket, as libvirt writes it (&lt;serial type='unix'&gt; with mode='bind'): a
/// client connected while the VM is paused sees the whole boot and types a line the guest reads.
/// </summary>
[Category("Kvm")]
[CancelAfter(600_000)]
public sealed class UnixSerialBootTests
{
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(4);
    private static readonly QmpClientOptions s_options = new() { ConnectTimeout = TimeSpan.FromMinutes(2), CommandTimeout = TimeSpan.FromMinutes(1) };
    private string? _directory;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-unix-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        VmmProcessTests.KillLeftoverVmms();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [EmulatorRetry]
    [Test]
    public async Task UnixSerial_ClientConnectedBeforeCont_SeesTheBootAndTypesALine()
    {
        string serial = Path.Combine(_directory!, "serial.sock");
        string qmpSocket = Path.Combine(_directory!, "qmp.sock");
        string xml = Path.Combine(_directory!, "guest.xml");
        string initrd = GuestImages.BuildInitramfs(_directory!, "sh -c 'read -r line; echo \"guest-read:$line\"; /bin/busybox poweroff -f'");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>unix-serial</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{initrd}</initrd>
                <cmdline>console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check</cmdline>
              </os>
              <devices>
                <serial type='unix'>
                  <source mode='bind' path='{serial}'/>
                  <target port='0'/>
                </serial>
                <console type='unix'>
                  <source mode='bind' path='{serial}'/>
                  <target type='serial' port='0'/>
                </console>
              </devices>
            </domain>
            """);
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", xml, "--qmp", $"unix:{qmpSocket},server", "--paused");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{qmpSocket}", s_options);
        Assert.That(File.Exists(serial), Is.True, "kvm-vmm listens on the serial socket once its monitor is up");

        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(serial));
        await WaitForChardevAsync(qmp, $"unix:{serial},server=on");
        await qmp.ExecuteAsync("cont");

        var seen = new StringBuilder();
        using var cancel = new CancellationTokenSource(s_bootTimeout);
        await ReadUntilAsync(client, seen, GuestImages.ReportEnd, cancel.Token);
        Assert.That(seen.ToString(), Does.Contain("Linux version"), "the boot from its first line");
        Assert.That(seen.ToString(), Does.Contain(GuestImages.Marker));

        await Task.Delay(TimeSpan.FromSeconds(2)); // let the shell reach its read
        await client.SendAsync(Encoding.ASCII.GetBytes("typed over the socket\n"));
        await ReadUntilAsync(client, seen, "guest-read:typed over the socket", cancel.Token);
        Assert.That(vmm.WaitForExit(60_000), Is.True, "the guest powered off; kvm-vmm should exit");
        Assert.That(File.Exists(serial), Is.False, "kvm-vmm removes its serial socket at exit");
    }

    private static async Task WaitForChardevAsync(QmpClient qmp, string filename)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            var chardevs = (await qmp.ExecuteAsync("query-chardev"))!.AsArray();
            last = string.Join(" ", chardevs.Select(c => $"{c!["label"]}={c["filename"]}"));
            if (last.Contains("charserial0=" + filename, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"query-chardev never showed charserial0={filename}: {last}");
    }

    private static async Task ReadUntilAsync(Socket client, StringBuilder seen, string text, CancellationToken cancel)
    {
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await client.ReceiveAsync(buffer, SocketFlags.None, cancel);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"'{text}' never came over the serial socket; it gave:\n{seen}");
                return;
            }

            Assert.That(read, Is.GreaterThan(0), $"the serial socket closed before '{text}':\n{seen}");
            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }
}
