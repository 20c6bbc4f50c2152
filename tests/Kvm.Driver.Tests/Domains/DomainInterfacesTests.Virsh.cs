using Kvm.Driver.Rpc;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// The same running domain through Debian's real virsh (libvirt-clients 9.0) over the RPC front end: domifstat
/// (REMOTE_PROC_DOMAIN_INTERFACE_STATS), domifaddr (REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES) and domstats --interface
/// print what the kernel's counters and neighbour table hold. Reported as ignored where virsh is not installed.
/// </summary>
public sealed partial class DomainInterfacesTests
{
    private const string Virsh = "/usr/bin/virsh";

    [Test]
    public async Task Virsh_DomifstatDomifaddrDomstats_TheKernelsFigures()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        await StartAsync("virsh");
        SendDatagrams(2);
        string socket = Path.Combine(_fixture.Root, "virtqemud-sock");
        await using RpcServer server = RpcServer.Start(_fixture.Manager, new RpcServerOptions
        {
            SocketPath = socket,
            ReadOnlySocketPath = socket + "-ro",
            Uri = "qemu:///session",
        });
        string uri = "qemu:///session?socket=" + socket;

        string stat = VirshRun(uri, "domifstat", "virsh", HostEnd);
        Assert.That(stat, Does.Contain($"{HostEnd} rx_bytes {Kernel("tx_bytes")}\n"));
        Assert.That(stat, Does.Contain($"{HostEnd} rx_packets {Kernel("tx_packets")}\n"));
        Assert.That(stat, Does.Contain($"{HostEnd} tx_bytes {Kernel("rx_bytes")}\n"));
        Assert.That(stat, Does.Contain($"{HostEnd} tx_drop {Kernel("rx_dropped")}\n"));

        string arp = VirshRun(uri, "domifaddr", "virsh", "--source", "arp");
        Assert.That(arp, Does.Match($@"\n {HostEnd}\s+{GuestMac}\s+ipv4\s+{GuestIp}/0\n"));

        string stats = VirshRun(uri, "domstats", "--interface", "virsh");
        Assert.That(stats, Does.Contain("  net.count=1\n"));
        Assert.That(stats, Does.Contain($"  net.0.name={HostEnd}\n"));
        Assert.That(stats, Does.Contain($"  net.0.rx.pkts={Kernel("tx_packets")}\n"));

        (int exit, _, string stderr) = ExternalTool.Run(null, Virsh, ["-c", uri, "domifaddr", "virsh", "--source", "agent"]);
        Assert.That(exit, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("argument unsupported: QEMU guest agent is not configured"));

        // Read-only: the kernel's tables may be read, the guest may not be asked.
        string readOnly = "qemu:///session?socket=" + socket + "-ro";
        Assert.That(VirshRun(readOnly, "domifaddr", "virsh", "--source", "arp"), Does.Contain(GuestIp + "/0"));
        Assert.That(VirshRun(readOnly, "domifstat", "virsh", HostEnd), Does.Contain($"{HostEnd} rx_packets "));
        (exit, _, stderr) = ExternalTool.Run(null, Virsh, ["-c", readOnly, "domifaddr", "virsh", "--source", "agent"]);
        Assert.That(exit, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("operation forbidden: read only access prevents virDomainInterfaceAddresses"));
    }

    private static string VirshRun(string uri, params string[] args)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, Virsh, ["-c", uri, .. args]);
        Assert.That(exit, Is.Zero, $"virsh {string.Join(' ', args)}: {stderr}");
        return stdout;
    }
}
