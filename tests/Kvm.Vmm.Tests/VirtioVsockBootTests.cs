using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Vhost;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// kvm-vmm runs a domain with <c>&lt;vsock&gt;</c> on real KVM and the kernel's vhost-vsock, as a user would: the VM
/// takes the first free CID (auto='yes'), which the host's kernel then refuses to anyone else with the error kvm-vmm
/// shows for a busy CID, while the next automatic pick gets another; the host (socat, VSOCK-CONNECT) connects to the
/// guest's CID and port, and what it sends comes back from the guest's echo intact (Debian's own vsock driver in the
/// guest, socat there too).
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class VirtioVsockBootTests
{
    private const int TransferBytes = 256 << 10;
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    private string _directory = null!;
    private string _socat = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null || VsockGuest.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL, KVM_NESTED_MODULES and KVM_NESTED_VSOCK_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        if (!File.Exists(VhostVsock.DevicePath))
        {
            Assert.Fail("needs /dev/vhost-vsock (modprobe vhost_vsock; the nested-KVM harness loads it in its outer guest)");
        }

        _socat = DiskGuest.Find("socat") ?? throw new AssertionException("needs socat (it speaks VSOCK; .ci/run installs it)");
        _directory = Directory.CreateTempSubdirectory("kvm-vmm-vsock-").FullName;
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
    [CancelAfter(240_000)]
    public void GuestWithAutoCid_TakesAFreeCidAndEchoesWhatTheHostSendsOverVsock()
    {
        string console = Path.Combine(_directory, "console.log");
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", WriteDomain(console));
        var log = new StringBuilder();
        var cidSeen = new TaskCompletionSource<uint>(TaskCreationOptions.RunContinuationsAsynchronously);
        vmm.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data is not null && CidLine().Match(e.Data) is { Success: true } match)
            {
                cidSeen.TrySetResult(uint.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        vmm.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();

        Assert.That(cidSeen.Task.Wait(s_timeout), Is.True, "kvm-vmm did not say which CID the guest has:\n" + Log(log));
        uint cid = cidSeen.Task.Result;
        TestContext.Progress.WriteLine($"vsock: guest CID {cid} after {deadline.Elapsed.TotalSeconds:F1} s");
        Assert.That(cid, Is.GreaterThanOrEqualTo(VhostVsock.MinGuestCid));

        // The kernel holds the CID for this VM: asking for it again is the error kvm-vmm shows; an automatic pick gets another.
        Assert.That(() => VhostVsock.Open(cid), Throws.InstanceOf<VhostException>().With.Message.EqualTo($"Guest CID {cid} is already in use by another VM on this host"));
        using (var second = VhostVsock.Open(null))
        {
            Assert.That(second.Cid, Is.Not.EqualTo(cid), "a second automatic CID");
        }

        Assert.That(SpinWait.SpinUntil(() => vmm.HasExited || DiskGuest.ReadConsole(console).Contains(VsockGuest.Listening, StringComparison.Ordinal), Remaining(deadline))
            && !vmm.HasExited, Is.True, "the guest did not start listening; its console:\n" + DiskGuest.ReadConsole(console) + "\nkvm-vmm:\n" + Log(log));

        TestContext.Progress.WriteLine($"vsock: guest listening after {deadline.Elapsed.TotalSeconds:F1} s");
        byte[] sent = RandomNumberGenerator.GetBytes(TransferBytes);
        byte[] echoed = Echo(cid, sent, deadline, console);
        TestContext.Progress.WriteLine($"vsock: echo of {echoed.Length} bytes back after {deadline.Elapsed.TotalSeconds:F1} s");

        bool exited = vmm.WaitForExit((int)Remaining(deadline).TotalMilliseconds);
        string output = DiskGuest.ReadConsole(console);
        Assert.That(exited, Is.True, "the guest did not power off in time; its console:\n" + output);
        TestContext.Progress.WriteLine($"vsock: guest off after {deadline.Elapsed.TotalSeconds:F1} s; its console's marks: "
            + string.Join(", ", output.Split('\n').Where(l => l.StartsWith("VSOCK", StringComparison.Ordinal)).Select(l => l.Trim())));
        vmm.WaitForExit();
        Assert.That(vmm.ExitCode, Is.EqualTo(0), Log(log));
        Assert.That(output, Does.Contain("VSOCK-SERVED"), "the guest's socat served the connection; its console:\n" + output);
        Assert.That(echoed, Has.Length.EqualTo(TransferBytes), "what came back from the guest");
        Assert.That(echoed.AsSpan().SequenceEqual(sent), Is.True, "what the host sent came back intact");
    }

    /// <summary>
    /// Sends <paramref name="data"/> to the guest's port through socat (stdin to VSOCK-CONNECT, the guest's echo back to
    /// its stdout) and returns what comes back, trying again while the guest's socat does not listen yet.
    /// </summary>
    private byte[] Echo(uint cid, byte[] data, Stopwatch deadline, string console)
    {
        while (true)
        {
            var info = new ProcessStartInfo(_socat) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in new[] { "-t", "30", "-", $"VSOCK-CONNECT:{cid}:{VsockGuest.Port}" })
            {
                info.ArgumentList.Add(argument);
            }

            using var socat = Process.Start(info)!;
            var stderr = socat.StandardError.ReadToEndAsync();
            using var received = new MemoryStream();
            var copy = socat.StandardOutput.BaseStream.CopyToAsync(received);
            try
            {
                socat.StandardInput.BaseStream.Write(data);
                socat.StandardInput.Close();
            }
            catch (IOException)
            {
                // socat gave up (connection refused) before it read all of its input.
            }

            Assert.That(socat.WaitForExit(Remaining(deadline)), Is.True, "socat did not finish");
            Assert.That(copy.Wait(Remaining(deadline)), Is.True, "socat's output did not end");
            if (socat.ExitCode == 0)
            {
                return received.ToArray();
            }

            Assert.That(deadline.Elapsed, Is.LessThan(s_timeout), $"socat could not reach the guest: {stderr.Result}\nits console:\n{DiskGuest.ReadConsole(console)}");
            Thread.Sleep(300);
        }
    }

    private string WriteDomain(string console)
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>vsock-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{VsockGuest.BuildInitramfs(_directory, _socat)}</initrd>
                <cmdline>console=ttyS0 panic=1 no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <vsock model='virtio'><cid auto='yes'/></vsock>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        return xml;
    }

    private static string Log(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static TimeSpan Remaining(Stopwatch deadline) => s_timeout - deadline.Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    [GeneratedRegex(@"vsock0: guest CID (\d+)")]
    private static partial Regex CidLine();
}
