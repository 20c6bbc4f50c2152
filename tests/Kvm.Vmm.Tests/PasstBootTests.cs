using System.Diagnostics;
using System.Text.RegularExpressions;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// kvm-vmm runs a domain with <c>&lt;interface type='user'&gt;</c> on real KVM, in one boot: passt, started by
/// kvm-vmm, gives Debian's kernel (its own virtio_net, busybox's udhcpc) the host's address and gateway by DHCP, and
/// passt ends when kvm-vmm is killed with SIGKILL; a <c>&lt;portForward&gt;</c> lets the host reach a server in the
/// guest (PasstBootTests.PortForward.cs). passt needs a host interface with a default route to take its addresses from: the test makes
/// a tap with an address and a route in the nested-KVM harness's disposable outer guest (which has no network), never
/// on another machine.
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class PasstBootTests
{
    private const string Uplink = "kvmtup0";
    private const string HostAddress = "10.0.2.15";
    private const string Gateway = "10.0.2.2";
    private const string Mac = "52:54:00:70:61:73";
    private const string Done = "PASST-DONE";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan s_firstOutput = TimeSpan.FromSeconds(60);

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null || GuestImages.ModulesPath() is null || NetGuest.ModulesPath() is null)
        {
            Assert.Ignore("needs /dev/kvm, KVM_NESTED_KERNEL, KVM_NESTED_MODULES and KVM_NESTED_NET_MODULES: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        if (Environment.GetEnvironmentVariable("KVM_NESTED_EMULATED") != "1")
        {
            Assert.Ignore("gives the host a tap, an address and a default route for passt, so it runs only inside the nested-KVM harness's disposable outer guest");
        }

        if (DiskGuest.Find("ip") is null || !File.Exists("/dev/net/tun") || DiskGuest.Find("passt") is null)
        {
            Assert.Fail("needs ip (iproute2), /dev/net/tun (the tun module) and passt (Debian's package 'passt') in the outer guest");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-passt-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        VmmProcessTests.KillLeftoverVmms();
        DiskGuest.RunChecked(false, "ip", "link", "del", Uplink);
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [EmulatorRetry]
    [Test]
    public void UserInterface_GuestGetsItsAddressByDhcp_AndPasstEndsWithKvmVmm()
    {
        AddUplink();
        string console = Path.Combine(_directory, "console.log");
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", WriteDomain(console, "", ""));
        var stderr = vmm.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();

        WaitForConsole(vmm, console, Done, deadline, stderr);
        string output = DiskGuest.ReadConsole(console);

        Assert.That(Bound().Match(output) is { Success: true } bound ? (bound.Groups[1].Value, bound.Groups[2].Value) : default,
            Is.EqualTo((HostAddress, Gateway)), "passt's DHCP gives the guest the host's address and gateway:\n" + output);
        Assert.That(output, Does.Contain($"NET mac={Mac} carrier=1"), "the MAC of the XML, and the link up");

        // SIGKILL: nothing of kvm-vmm's runs, yet passt ends (its socket closes with kvm-vmm).
        int[] passt = Children(vmm.Id, "passt");
        Assert.That(passt, Has.Length.EqualTo(1), "kvm-vmm runs one passt");
        vmm.Kill();
        vmm.WaitForExit();
        Assert.That(SpinWait.SpinUntil(() => !IsRunning(passt[0]), TimeSpan.FromSeconds(30)), Is.True, "passt outlived kvm-vmm's SIGKILL");
        Assert.That(stderr.Result, Does.Contain("passt started"), "kvm-vmm logged passt's start");
    }

    /// <summary>The outer guest's "uplink": passt takes the guest's address, netmask and gateway from it.</summary>
    private static void AddUplink()
    {
        DiskGuest.Run("ip", "link", "set", "lo", "up");
        DiskGuest.Run("ip", "tuntap", "add", "dev", Uplink, "mode", "tap");
        DiskGuest.Run("ip", "addr", "add", $"{HostAddress}/24", "dev", Uplink);
        DiskGuest.Run("ip", "link", "set", Uplink, "up");
        DiskGuest.Run("ip", "route", "add", "default", "via", Gateway, "dev", Uplink);
    }

    private static void WaitForConsole(Process vmm, string console, string marker, Stopwatch deadline, Task<string> stderr)
    {
        // The kernel writes to ttyS0 within seconds of starting; a console still empty after a minute is the emulated
        // SVM's stall at a guest's first instructions (seen in CI): fail now, so that [EmulatorRetry] runs it again soon.
        if (!SpinWait.SpinUntil(() => vmm.HasExited || DiskGuest.ReadConsole(console).Length > 0, s_firstOutput))
        {
            vmm.Kill();
            Assert.Fail($"the guest printed nothing in {s_firstOutput.TotalSeconds:0} s; kvm-vmm:\n{(stderr.Wait(5000) ? stderr.Result : "")}");
        }

        bool seen = SpinWait.SpinUntil(() => vmm.HasExited || DiskGuest.ReadConsole(console).Contains(marker, StringComparison.Ordinal), s_timeout - deadline.Elapsed);
        if (!seen || vmm.HasExited)
        {
            vmm.Kill();
            Assert.Fail($"the guest did not print {marker}; its console:\n{DiskGuest.ReadConsole(console)}\nkvm-vmm:\n{(stderr.Wait(5000) ? stderr.Result : "")}");
        }
    }

    /// <summary>The pids of <paramref name="pid"/>'s children named <paramref name="name"/> (/proc/PID/task/*/children).</summary>
    private static int[] Children(int pid, string name) =>
        [.. Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)
            .Where(child => File.Exists($"/proc/{child}/comm") && File.ReadAllText($"/proc/{child}/comm").StartsWith(name, StringComparison.Ordinal))]; // passt runs as passt.avx2 where it can

    private static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The domain: a guest that takes its address by DHCP, runs <paramref name="afterDhcp"/>, prints
    /// <see cref="Done"/> and waits; <paramref name="passtElements"/> go into its user-mode interface.
    /// </summary>
    private string WriteDomain(string console, string afterDhcp, string passtElements)
    {
        string initramfs = DiskGuest.BuildInitramfs(_directory, $$"""
            B=/bin/busybox
            echo 1 >/proc/sys/kernel/printk
            for i in $($B seq 1 100); do [ -e /sys/class/net/eth0 ] && break; $B sleep 0.1; done
            $B ip link set lo up
            $B ip link set eth0 up
            $B cat >/dhcp.sh <<'EOF'
            #!/bin/busybox sh
            case "$1" in
              bound|renew)
                /bin/busybox ip addr add "$ip/${mask:-24}" dev "$interface"
                /bin/busybox ip route add default via "$router"
                echo "$router" >/router
                echo "DHCP-BOUND ip=$ip router=$router" ;;
            esac
            EOF
            $B chmod +x /dhcp.sh
            $B udhcpc -i eth0 -f -q -n -t 20 -T 3 -s /dhcp.sh || echo "DHCP-FAILED"
            echo "NET mac=$($B cat /sys/class/net/eth0/address) carrier=$($B cat /sys/class/net/eth0/carrier)"
            {{afterDhcp}}
            echo {{Done}}
            $B sleep 600
            $B poweroff -f
            """, NetGuest.ModulesPath());
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>passt-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{initramfs}</initrd>
                <cmdline>console=ttyS0 panic=1 no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <interface type='user'>
                  <mac address='{Mac}'/>
                  <model type='virtio'/>
                  <backend type='passt'/>
                  {passtElements}
                </interface>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        return xml;
    }

    // The script first turns the console's kernel log level down to emergencies only, so that the kernel's own
    // messages (a link coming up) do not land inside its lines (seen in CI: "router=10.0.2.2[").
    [GeneratedRegex(@"DHCP-BOUND ip=(\S+) router=(\S+)")]
    private static partial Regex Bound();
}
