using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kvm.DomainXml;
using Kvm.Vmm.Launch;
using Kvm.Vmm.Net;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Net;

/// <summary>
/// Debian's real passt, started with the options kvm-vmm derives from a <c>&lt;portForward&gt;</c>, without a VM:
/// passt takes them, listens on the host port, and a connection there reaches the guest's side of the socket as a
/// TCP SYN to the port the range maps it to. passt opens no interface, address or route; it listens on a free
/// loopback port of this machine's only.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class PasstForwardTests
{
    private const int EtherTypeIpv4 = 0x0800;
    private const byte ProtocolTcp = 6;
    private const byte TcpSyn = 0x02; // RFC 9293 3.1, control bits
    private const byte TcpAck = 0x10;

    [SetUp]
    public void SetUp()
    {
        if (PasstBackendTests.Passt() is null)
        {
            Assert.Ignore("needs passt (Debian's package 'passt'; .ci/run installs it)");
        }

        if (!PasstBackendTests.HasDefaultRoute())
        {
            Assert.Ignore("needs an IPv4 default route in this network namespace: passt takes its template interface from it");
        }
    }

    [Test]
    public void PortForward_ConnectionToHostPort_ReachesTheGuestAsSynToTheMappedPort()
    {
        int hostPort = FreeLoopbackPort();
        const int GuestPort = 8080;
        var options = PasstOptionsFor($"<portForward proto='tcp' address='127.0.0.1'><range start='{hostPort}' to='{GuestPort}'/></portForward>");
        Assert.That(options.Arguments, Is.SupersetOf(new[] { "--tcp-ports", $"127.0.0.1/{hostPort}:{GuestPort}" }), "the mapping under test");

        using var backend = PasstBackend.Start(options, "net0");
        using var client = ConnectWithin(hostPort, TimeSpan.FromSeconds(10));

        var syn = ReadTcpSegment(backend, TimeSpan.FromSeconds(10));

        Assert.That(syn, Is.Not.Null, "no TCP segment from passt to the guest");
        Assert.That((syn!.Value.DestinationPort, syn.Value.Flags & (TcpSyn | TcpAck)), Is.EqualTo((GuestPort, (int)TcpSyn)),
            "a SYN to the port the range maps the host port to");
    }

    [Test]
    public void PortForward_PortOutsideTheRanges_IsNotListenedOn()
    {
        int hostPort = FreeLoopbackPort();
        int otherPort = FreeLoopbackPort();
        var options = PasstOptionsFor($"<portForward proto='tcp' address='127.0.0.1'><range start='{hostPort}'/></portForward>");

        using var backend = PasstBackend.Start(options, "net0");
        using var listening = ConnectWithin(hostPort, TimeSpan.FromSeconds(10));

        Assert.That(() => new TcpClient().Connect(IPAddress.Loopback, otherPort),
            Throws.InstanceOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused));
    }

    /// <summary>The passt options kvm-vmm derives from a user-mode interface holding <paramref name="elements"/>.</summary>
    private static PasstOptions PasstOptionsFor(string elements)
    {
        var document = DomainXmlParser.Parse($"""
            <domain type='kvm'>
              <name>passt-forward</name>
              <memory unit='MiB'>128</memory>
              <os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinuz</kernel></os>
              <devices>
                <interface type='user'><mac address='52:54:00:aa:bb:cc'/><model type='virtio'/><backend type='passt'/>{elements}</interface>
              </devices>
            </domain>
            """, "guest.xml", DomainParseFlags.Inactive);
        var plans = NetMapping.Plan(document.Definition.Devices.Interfaces, _ => { });
        return plans[0].Passt!;
    }

    /// <summary>A loopback port nothing listens on now (the kernel's choice of an ephemeral one).</summary>
    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Connects to passt's port; passt listens once it is ready, which <see cref="PasstBackend.Start"/> waits for.</summary>
    private static TcpClient ConnectWithin(int port, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var client = new TcpClient();
            try
            {
                client.Connect(IPAddress.Loopback, port);
                return client;
            }
            catch (SocketException) when (clock.Elapsed < within)
            {
                client.Dispose();
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Reads frames from passt until an IPv4 TCP segment: its destination port and control bits, or null.</summary>
    private static (int DestinationPort, int Flags)? ReadTcpSegment(PasstBackend backend, TimeSpan within)
    {
        byte[] buffer = new byte[PasstBackend.HeaderSize + PasstBackend.MaxFrame];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            int length = backend.Read(buffer);
            Assert.That(length, Is.GreaterThanOrEqualTo(0), "the backend failed");
            if (length == 0)
            {
                Thread.Sleep(10);
                continue;
            }

            var ethernet = buffer.AsSpan(PasstBackend.HeaderSize, length - PasstBackend.HeaderSize);
            if (ethernet.Length < 14 + 20 + 20 || BinaryPrimitives.ReadUInt16BigEndian(ethernet[12..]) != EtherTypeIpv4)
            {
                continue;
            }

            var ip = ethernet[14..];
            int headerLength = (ip[0] & 0x0f) * 4;
            if (ip[9] != ProtocolTcp || ip.Length < headerLength + 20)
            {
                continue;
            }

            var tcp = ip[headerLength..];
            return (BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]), tcp[13]);
        }

        return null;
    }
}
