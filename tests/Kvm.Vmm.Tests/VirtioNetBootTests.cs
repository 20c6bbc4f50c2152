using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kvm.Qmp.Client;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// kvm-vmm runs a domain with a virtio NIC on a tap, on real KVM, as a user would: Debian's kernel with its own
/// virtio_net sees the MAC and MTU of the XML and a link that is up, pings the host end, moves random data both
/// ways over TCP, compared byte for byte through md5, and sees its carrier follow QMP set_link. The host end is a bridge or a tap made in the nested-KVM
/// harness's outer guest, which is disposable: the test refuses to touch the network of any other machine. The cases
/// cover both datapaths without extra boots: the bridge runs kvm-vmm's own (<c>&lt;driver name='qemu'/&gt;</c>), the
/// taps vhost-net (no driver name, and <c>name='vhost'</c>), checked in kvm-vmm's log and in its open descriptors.
/// The "-mq" cases give a 2-vCPU guest <c>&lt;driver queues='2'/&gt;</c> on each datapath: the tap is multi-queue,
/// vhost-net is opened once per pair, and the guest's virtio_net sets 2 queue pairs over the control queue (its
/// /sys/class/net/eth0/queues has rx-0, rx-1, tx-0 and tx-1, and kvm-vmm logs the pairs it made active).
/// </summary>
[Category("Kvm")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class VirtioNetBootTests
{
    private const string Bridge = "kvmtbr0";
    private const string Tap = "kvmttap0";
    private const string Mac = "52:54:00:4b:56:4d";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);
    private static readonly QmpClientOptions s_qmpOptions = new() { ConnectTimeout = TimeSpan.FromMinutes(1), CommandTimeout = TimeSpan.FromMinutes(1) };

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
            Assert.Ignore("makes bridges and taps, so it runs only inside the nested-KVM harness's disposable outer guest");
        }

        if (DiskGuest.Find("ip") is null || !File.Exists("/dev/net/tun"))
        {
            Assert.Fail("needs ip (iproute2) and /dev/net/tun (the tun module) in the outer guest");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-net-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        VmmProcessTests.KillLeftoverVmms();
        DiskGuest.RunChecked(false, "ip", "link", "del", Bridge);
        DiskGuest.RunChecked(false, "ip", "link", "del", Tap);
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [EmulatorRetry]
    [TestCase("bridge")]
    [TestCase("ethernet")]
    [TestCase("ethernet-unmanaged")]
    [TestCase("bridge-mq")]
    [TestCase("ethernet-mq")]
    public async Task GuestOnTap_PingsTransfersBothWaysAndFollowsSetLink_DataArrivesIntact(string kind)
    {
        bool multiqueue = kind.EndsWith("-mq", StringComparison.Ordinal);
        string queues = multiqueue ? " queues='2'" : string.Empty;
        kind = kind.Replace("-mq", string.Empty, StringComparison.Ordinal);
        string nic = kind switch
        {
            "bridge" => $"<interface type='bridge'><mac address='{Mac}'/><source bridge='{Bridge}'/><model type='virtio'/><driver name='qemu'{queues}/><mtu size='1400'/></interface>",
            "ethernet" => $"<interface type='ethernet'><mac address='{Mac}'/><target dev='{Tap}'/><model type='virtio'/>{(multiqueue ? $"<driver{queues}/>" : string.Empty)}<mtu size='1400'/></interface>",
            _ => $"<interface type='ethernet'><mac address='{Mac}'/><target dev='{Tap}' managed='no'/><model type='virtio'/><driver name='vhost'/></interface>",
        };
        bool vhost = kind != "bridge";
        int pairs = multiqueue ? 2 : 1;
        if (vhost && !File.Exists("/dev/vhost-net"))
        {
            Assert.Fail("needs /dev/vhost-net (the vhost_net module) in the outer guest: tools/nested-kvm/nested-kvm.sh loads it");
        }

        if (kind == "bridge")
        {
            Ip("link", "add", Bridge, "type", "bridge", "forward_delay", "0");
            Ip("addr", "add", $"{NetGuest.HostAddress}/24", "dev", Bridge);
            Ip("link", "set", Bridge, "up");
        }
        else if (kind == "ethernet-unmanaged")
        {
            Ip("tuntap", "add", "dev", Tap, "mode", "tap", "vnet_hdr");
            Ip("addr", "add", $"{NetGuest.HostAddress}/24", "dev", Tap);
            Ip("link", "set", Tap, "up");
        }

        using var listener = new TcpListener(IPAddress.Any, NetGuest.UpPort);
        listener.Start();
        string console = Path.Combine(_directory, "console.log");
        string qmpSocket = Path.Combine(_directory, "qmp.sock");
        using var vmm = VmmProcessTests.StartVmm("--domain-xml", WriteDomain(nic, console, vcpus: pairs), "--qmp", $"unix:{qmpSocket},server");
        var stderr = vmm.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        if (kind == "ethernet")
        {
            // kvm-vmm made the tap and brought it up, its last step (MAC and MTU come before): the host end's address goes on it now.
            Assert.That(SpinWait.SpinUntil(() => IsUp(Tap), 60_000), Is.True, "kvm-vmm did not create the tap and bring it up");
            Assert.That(File.ReadAllText($"/sys/class/net/{Tap}/address").Trim(), Is.EqualTo("fe" + Mac[2..]), "the tap's MAC, libvirt's fe:...");
            Assert.That(File.ReadAllText($"/sys/class/net/{Tap}/mtu").Trim(), Is.EqualTo("1400"));
            Ip("addr", "add", $"{NetGuest.HostAddress}/24", "dev", Tap);
        }

        // Guest to host: what the guest sends to UpPort, up to its end.
        byte[] up = Receive(listener, vmm, console, deadline);

        // Host to guest: once its listener runs, ping it, then send it random data and close.
        WaitForConsole(vmm, console, NetGuest.Listening, deadline);
        using (var ping = new Ping())
        {
            Assert.That(ping.Send(NetGuest.GuestAddress, 10_000).Status, Is.EqualTo(IPStatus.Success), "the host pings the guest");
        }

        Assert.That(CountOpen(vmm.Id, "/dev/vhost-net"), Is.EqualTo(vhost ? pairs : 0), "kvm-vmm holds /dev/vhost-net, once per queue pair, exactly when vhost-net is the datapath");
        string tap = kind == "bridge" ? Directory.EnumerateDirectories($"/sys/class/net/{Bridge}/brif").Select(Path.GetFileName).Single()! : Tap;
        int tunFlags = Convert.ToInt32(File.ReadAllText($"/sys/class/net/{tap}/tun_flags").Trim(), 16);
        Assert.That((tunFlags & 0x0100) != 0, Is.EqualTo(multiqueue), $"the tap {tap} is IFF_MULTI_QUEUE exactly with queues='2' (tun_flags 0x{tunFlags:x})");

        byte[] down = RandomNumberGenerator.GetBytes(NetGuest.TransferBytes);
        Send(down, deadline);

        // QMP set_link: the guest sees its carrier go down, then up again.
        WaitForConsole(vmm, console, NetGuest.WaitLinkDown, deadline);
        await using (var qmp = await QmpClient.ConnectAsync($"unix:{qmpSocket}", s_qmpOptions))
        {
            await qmp.ExecuteAsync("set_link", new JsonObject { ["name"] = "net0", ["up"] = false });
            WaitForConsole(vmm, console, NetGuest.CarrierDown, deadline);
            await qmp.ExecuteAsync("set_link", new JsonObject { ["name"] = "net0", ["up"] = true });
        }

        bool exited = vmm.WaitForExit((int)Remaining(deadline).TotalMilliseconds);
        string output = DiskGuest.ReadConsole(console);
        Assert.That(exited, Is.True, "the guest did not power off in time; its console:\n" + output);
        string log = stderr.Result;
        Assert.That(vmm.ExitCode, Is.EqualTo(0), log);
        Assert.That(output, Does.Contain(NetGuest.Done), "the guest did not finish; its console:\n" + output + "\nkvm-vmm:\n" + log);
        Assert.That(output, Does.Contain($"NET mac={Mac} mtu={(kind == "ethernet-unmanaged" ? 1500 : 1400)}"), "the MAC and MTU of the XML");
        Assert.That(output, Does.Contain("NET carrier=1"), "the link is up");
        Assert.That(output, Does.Contain("PING-HOST-OK"), "the guest pings the host:\n" + output);
        Assert.That(up, Has.Length.EqualTo(NetGuest.TransferBytes));
        Assert.That(Md5(up), Is.EqualTo(UpMd5().Match(output).Groups[1].Value), "what the guest sent arrived intact");
        Assert.That(DownMd5().Match(output).Groups[1].Value, Is.EqualTo(Md5(down)), "what the host sent arrived intact:\n" + output);
        Assert.That(output, Does.Contain(NetGuest.CarrierUp), "the guest saw its link come back up after set_link");
        Assert.That(log, Does.Contain($"net0: datapath {(vhost ? "vhost-net" : "userspace")} on "), "the datapath kvm-vmm says it used");
        Assert.That(output, Does.Contain(multiqueue ? "NET queues=rx-0 rx-1 tx-0 tx-1" : "NET queues=rx-0 tx-0"), "the queue pairs the guest's driver uses:\n" + output);
        Assert.That(output, Does.Not.Contain("Fail to set num of queue pairs"), "the device accepted the driver's VQ_PAIRS_SET");
        if (multiqueue)
        {
            Assert.That(log, Does.Contain("net0: 2 queue pair(s) active"), "kvm-vmm activated the second pair on the guest's request");
        }
    }

    /// <summary>How many descriptors of process <paramref name="pid"/> have <paramref name="path"/> open (/proc/PID/fd links).</summary>
    private static int CountOpen(int pid, string path) => Directory.EnumerateFiles($"/proc/{pid}/fd").Count(fd =>
    {
        try
        {
            return new FileInfo(fd).LinkTarget == path;
        }
        catch (IOException)
        {
            return false; // closed meanwhile
        }
    });

    private static void WaitForConsole(Process vmm, string console, string marker, Stopwatch deadline) =>
        Assert.That(SpinWait.SpinUntil(() => vmm.HasExited || DiskGuest.ReadConsole(console).Contains(marker, StringComparison.Ordinal), Remaining(deadline))
            && !vmm.HasExited, Is.True, $"the guest did not print {marker}; its console:\n" + DiskGuest.ReadConsole(console));

    private static byte[] Receive(TcpListener listener, Process vmm, string console, Stopwatch deadline)
    {
        var accept = listener.AcceptTcpClientAsync();
        if (!accept.Wait(Remaining(deadline)))
        {
            vmm.Kill();
            Assert.Fail("the guest did not connect to the host; its console:\n" + DiskGuest.ReadConsole(console));
        }

        using var client = accept.Result;
        using var stream = client.GetStream();
        stream.ReadTimeout = (int)Remaining(deadline).TotalMilliseconds;
        using var received = new MemoryStream();
        stream.CopyTo(received);
        return received.ToArray();
    }

    private static void Send(byte[] data, Stopwatch deadline)
    {
        // The guest's nc may not listen yet when its marker appears: try again for a while.
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                client.Connect(NetGuest.GuestAddress, NetGuest.DownPort);
            }
            catch (SocketException) when (deadline.Elapsed < s_timeout)
            {
                Thread.Sleep(300);
                continue;
            }

            using var stream = client.GetStream();
            stream.WriteTimeout = (int)Remaining(deadline).TotalMilliseconds;
            stream.Write(data);
            client.Client.Shutdown(SocketShutdown.Send);
            return;
        }
    }

    private string WriteDomain(string nic, string console, int vcpus)
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>net-guest</name>
              <memory unit='MiB'>256</memory>
              <vcpu>{vcpus}</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{NetGuest.BuildInitramfs(_directory)}</initrd>
                <cmdline>console=ttyS0 panic=1 no_timer_check</cmdline>
              </os>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                {nic}
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        return xml;
    }

    /// <summary>Whether the interface exists and has IFF_UP in its flags (/sys/class/net/NAME/flags, hexadecimal).</summary>
    private static bool IsUp(string name)
    {
        try
        {
            string flags = File.ReadAllText($"/sys/class/net/{name}/flags").Trim();
            return (Convert.ToInt32(flags, 16) & 1) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Ip(params string[] arguments) => DiskGuest.Run("ip", arguments);

    private static TimeSpan Remaining(Stopwatch deadline) => s_timeout - deadline.Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    private static string Md5(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));

    [GeneratedRegex(@"UP-MD5 ([0-9a-f]{32})")]
    private static partial Regex UpMd5();

    [GeneratedRegex(@"DOWN-MD5 ([0-9a-f]{32})")]
    private static partial Regex DownMd5();
}
