using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kvm.Vmm.Net;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Net;

/// <summary>
/// A forwarded connection carried both ways through Debian's real passt, the test playing the guest's TCP by hand on
/// the backend's frames: passt's SYN, the guest's SYN-ACK, the host's request arriving as a segment, the guest's answer
/// reaching the host's socket. It also pins what Debian 12's passt does with the handshake: the host's first data
/// (with its ACK) is what completes the guest's side, which the Kvm test relies on.
/// </summary>
public sealed partial class PasstForwardTests
{
    private const byte TcpPsh = 0x08;
    private const uint GuestIss = 1000;

    [Test]
    public void PortForward_RequestAndAnswer_CrossPasstBothWays()
    {
        int hostPort = FreeLoopbackPort();
        const int GuestPort = 8080;
        using var backend = PasstBackend.Start(
            PasstOptionsFor($"<portForward proto='tcp' address='127.0.0.1'><range start='{hostPort}' to='{GuestPort}'/></portForward>"), "net0");
        using var client = ConnectWithin(hostPort, TimeSpan.FromSeconds(10));
        client.ReceiveTimeout = 10_000;

        byte[] syn = ReadFrame(backend, f => Tcp(f) is { } t && (t[13] & TcpSyn) != 0) ?? throw new AssertionException("no SYN from passt");
        const int Eth = PasstBackend.HeaderSize;
        var (passtMac, passtIp, guestIp) = (syn.AsSpan(Eth + 6, 6).ToArray(), syn.AsSpan(Eth + 14 + 12, 4).ToArray(), syn.AsSpan(Eth + 14 + 16, 4).ToArray());
        var synTcp = Tcp(syn)!;
        ushort passtPort = BinaryPrimitives.ReadUInt16BigEndian(synTcp);
        uint passtSeq = BinaryPrimitives.ReadUInt32BigEndian(synTcp.AsSpan(4));

        Assert.That(Write(backend, Segment(passtMac, guestIp, passtIp, GuestPort, passtPort, GuestIss, passtSeq + 1, TcpSyn | TcpAck, [])), Is.True);
        byte[] request = Encoding.ASCII.GetBytes("HOST-REQUEST\n");
        client.GetStream().Write(request);
        byte[] carried = ReadFrame(backend, f => Tcp(f) is { } t && t.Length > (t[12] >> 4) * 4) ?? throw new AssertionException("the host's request did not reach the guest");
        var carriedTcp = Tcp(carried)!;

        Assert.That(carriedTcp.AsSpan((carriedTcp[12] >> 4) * 4).ToArray(), Is.EqualTo(request), "the request, as the guest gets it");
        Assert.That(carriedTcp[13] & TcpAck, Is.EqualTo(TcpAck), "with the ACK that completes the guest's handshake");

        byte[] answer = Encoding.ASCII.GetBytes("GUEST-ANSWER\n");
        Assert.That(Write(backend, Segment(passtMac, guestIp, passtIp, GuestPort, passtPort, GuestIss + 1, passtSeq + 1 + (uint)request.Length, TcpPsh | TcpAck, answer)), Is.True);
        byte[] received = new byte[answer.Length];
        int got = 0;
        while (got < received.Length && client.GetStream().Read(received, got, received.Length - got) is > 0 and var n)
        {
            got += n;
        }

        Assert.That(received, Is.EqualTo(answer), "the guest's answer on the host's socket");
    }

    /// <summary>The TCP header and payload of an IPv4 frame (after the backend's virtio-net header), or null.</summary>
    private static byte[]? Tcp(byte[] frame)
    {
        var ethernet = frame.AsSpan(PasstBackend.HeaderSize);
        if (ethernet.Length < 14 + 20 + 20 || BinaryPrimitives.ReadUInt16BigEndian(ethernet[12..]) != EtherTypeIpv4 || ethernet[14 + 9] != ProtocolTcp)
        {
            return null;
        }

        int ipLength = BinaryPrimitives.ReadUInt16BigEndian(ethernet[(14 + 2)..]);
        int headerLength = (ethernet[14] & 0x0f) * 4;
        return ethernet.Slice(14 + headerLength, ipLength - headerLength).ToArray();
    }

    /// <summary>Reads frames (each after the backend's virtio-net header) until one matches; that one, or null.</summary>
    private static byte[]? ReadFrame(PasstBackend backend, Func<byte[], bool> match)
    {
        byte[] buffer = new byte[PasstBackend.HeaderSize + PasstBackend.MaxFrame];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            int length = backend.Read(buffer);
            Assert.That(length, Is.GreaterThanOrEqualTo(0), "the backend failed");
            if (length == 0)
            {
                Thread.Sleep(10);
                continue;
            }

            byte[] frame = buffer[..length];
            if (match(frame))
            {
                return frame;
            }
        }

        return null;
    }

    private static bool Write(PasstBackend backend, byte[] ethernet)
    {
        byte[] frame = [.. new byte[PasstBackend.HeaderSize], .. ethernet];
        return backend.Write(frame) == frame.Length;
    }

    /// <summary>An Ethernet frame with one IPv4 TCP segment from the guest, checksums filled in (RFC 791, RFC 9293 3.1).</summary>
    private static byte[] Segment(byte[] to, byte[] source, byte[] destination, int sourcePort, int destinationPort, uint seq, uint ack, int flags, byte[] payload)
    {
        byte[] frame = new byte[14 + 20 + 20 + payload.Length];
        to.CopyTo(frame, 0);
        byte[] guestMac = [0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc];
        guestMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypeIpv4);
        var ip = frame.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 20 + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // don't fragment
        ip[8] = 64;
        ip[9] = ProtocolTcp;
        source.CopyTo(ip[12..]);
        destination.CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));
        var tcp = frame.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], (ushort)destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = 5 << 4;
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64240);
        payload.CopyTo(tcp[20..]);
        uint pseudo = Sum(source) + Sum(destination) + ProtocolTcp + (uint)tcp.Length;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum(tcp, pseudo));
        return frame;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        uint sum = initial + Sum(data);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (data.Length % 2 == 1)
        {
            sum += (uint)data[^1] << 8;
        }

        return sum;
    }
}
