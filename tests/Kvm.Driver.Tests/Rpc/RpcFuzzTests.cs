using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Seeded malformed packets against a running RPC server over the real driver core: wild lengths, truncated packets,
/// random headers (programs, versions, types, statuses, procedures) and random or hostile argument bytes (huge string
/// lengths and array counts). The server must survive, keep its memory bounded, and keep answering a well-behaved
/// client throughout.
/// </summary>
public sealed class RpcFuzzTests
{
    private const int Seed = 1729;
    /// <summary>CI's count; KVM_RPC_FUZZ_PACKETS asks for more (the acceptance run is 100000).</summary>
    private static readonly int s_packets =
        int.TryParse(Environment.GetEnvironmentVariable("KVM_RPC_FUZZ_PACKETS"), out int packets) && packets > 0 ? packets : 4000;

    private static readonly RemoteProcedure[] s_procedures = Enum.GetValues<RemoteProcedure>();

    [Test]
    [CancelAfter(600_000)]
    public async Task MalformedPackets_Seeded_ServerSurvivesBoundedAndOthersAnswered(CancellationToken cancellationToken)
    {
        await using RpcFixture f = await RpcFixture.StartAsync();
        using var bystander = new RpcTestClient(f.Socket);
        bystander.Open();
        var random = new Random(Seed);
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = baseline;
        int reconnects = 0;
        FuzzPeer peer = FuzzPeer.Connect(f.Socket);
        try
        {
            for (int i = 0; i < s_packets && !cancellationToken.IsCancellationRequested; i++)
            {
                byte[] packet = Generate(random, out bool closeAfter);
                if (!peer.TrySend(packet) || closeAfter)
                {
                    peer.Dispose();
                    peer = FuzzPeer.Connect(f.Socket);
                    reconnects++;
                }
                if (i % 200 == 0)
                {
                    var clock = Stopwatch.StartNew();
                    Assert.That(bystander.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok), $"after packet {i}");
                    Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), $"the bystander waited after packet {i}");
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                }
            }
        }
        finally
        {
            peer.Dispose();
        }

        TestContext.Out.WriteLine($"{s_packets} packets, {reconnects} connections cut or closed, {FuzzPeer.ReceivedBytes} bytes answered, "
            + $"heap peak {(peak - baseline) >> 20} MiB over baseline");
        Assert.That(reconnects, Is.GreaterThan(100), "the generator reaches the framing checks that disconnect");
        // Replies still queued when a later packet of the same connection breaks the framing are dropped with the connection, as libvirt drops them.
        Assert.That(FuzzPeer.ReceivedBytes, Is.GreaterThan(24 * 1024), "the server answered hundreds of the calls");
        Assert.That(f.Server.FailedClients, Is.Zero, "no connection ended in an unexpected exception");
        Assert.That(f.Server.FailedCalls, Is.Zero, "no call failed with an unexpected exception");
        Assert.That(peak - baseline, Is.LessThan(256L << 20), "memory stays bounded");
        Assert.That(bystander.Call(RemoteProcedure.ConnectListAllDomains, (ref XdrWriter w) =>
        {
            w.WriteInt32(1);
            w.WriteUInt32(0);
        }).Header.Status, Is.EqualTo(RpcStatus.Ok));
        using var fresh = new RpcTestClient(f.Socket);
        fresh.Open();
    }

    /// <summary>One malformed (or merely hostile) packet; <paramref name="closeAfter"/> when the stream cannot be framed after it, so the peer hangs up.</summary>
    private static byte[] Generate(Random random, out bool closeAfter)
    {
        closeAfter = false;
        switch (random.Next(10))
        {
            case 0: // a wild length word, then some bytes (the stream cannot be framed after it: the peer hangs up)
            {
                closeAfter = true;
                byte[] bytes = new byte[4 + random.Next(32)];
                random.NextBytes(bytes);
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)random.Next(0, RpcLimits.MinPacket));
                }
                return bytes;
            }
            case 1: // a huge announced packet that never comes: nothing may be allocated for it up front
            {
                closeAfter = true;
                byte[] bytes = new byte[4 + 24 + random.Next(64)];
                random.NextBytes(bytes);
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)random.Next(RpcLimits.MaxPacket - 1024, RpcLimits.MaxPacket + 1));
                return bytes;
            }
            case 2 or 3 or 4: // a random header with a random body
            {
                uint program = random.Next(4) switch { 0 => RpcPrograms.Keepalive, 1 => (uint)random.Next(), _ => RpcPrograms.Remote };
                var header = new RpcHeader(program, random.Next(5) == 0 ? (uint)random.Next() : 1u, random.Next(-5, 460),
                    (RpcMessageType)random.Next(-1, 8), (uint)random.Next(), (RpcStatus)random.Next(-1, 4));
                return Packet(header, RandomBody(random));
            }
            default: // a call of a procedure kvmd implements, with random or hostile arguments
            {
                var header = new RpcHeader(RpcPrograms.Remote, 1, (int)s_procedures[random.Next(s_procedures.Length)], RpcMessageType.Call,
                    (uint)random.Next(), RpcStatus.Ok);
                return Packet(header, RandomBody(random));
            }
        }
    }

    private static byte[] RandomBody(Random random)
    {
        int words = random.Next(12);
        byte[] body = new byte[words * 4 + (random.Next(4) == 0 ? random.Next(1, 4) : 0)];
        random.NextBytes(body);
        for (int i = 0; i + 4 <= body.Length; i += 4)
        {
            // Sizes that matter: zero, one, small, just over the limits, all ones.
            uint value = random.Next(6) switch
            {
                0 => 0,
                1 => 1,
                2 => (uint)random.Next(64),
                3 => (uint)RpcLimits.MaxString + 1,
                4 => 0xffffffff,
                _ => BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(i)),
            };
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(i), value);
        }
        return body;
    }

    private static byte[] Packet(RpcHeader header, byte[] body)
    {
        PacketBuffer packet = PacketBuffer.Start(header, out XdrWriter writer);
        writer.WriteFixedOpaque(body); // raw bytes (padded to 4): the body is whatever the generator made
        return packet.ToPacket().ToArray();
    }

    /// <summary>A fuzzing connection: sends without waiting for answers, and drains (and drops) whatever comes back.</summary>
    private sealed class FuzzPeer : IDisposable
    {
        private static long s_receivedBytes;
        private readonly Socket _socket;
        private readonly Task _drain;

        public static long ReceivedBytes => Interlocked.Read(ref s_receivedBytes);

        private FuzzPeer(Socket socket)
        {
            _socket = socket;
            _drain = Task.Run(async () =>
            {
                byte[] buffer = new byte[65536];
                try
                {
                    int read;
                    while ((read = await _socket.ReceiveAsync(buffer)) > 0)
                    {
                        Interlocked.Add(ref s_receivedBytes, read);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            });
        }

        public static FuzzPeer Connect(string path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { SendTimeout = 5000 };
            socket.Connect(new UnixDomainSocketEndPoint(path));
            var peer = new FuzzPeer(socket);
            var open = new RpcHeader(RpcPrograms.Remote, 1, (int)RemoteProcedure.ConnectOpen, RpcMessageType.Call, 1, RpcStatus.Ok);
            PacketBuffer packet = PacketBuffer.Start(open, out XdrWriter writer);
            writer.WriteOptionalString(null);
            writer.WriteUInt32(0);
            peer.TrySend(packet.ToPacket().ToArray());
            return peer;
        }

        public bool TrySend(byte[] packet)
        {
            try
            {
                _socket.Send(packet);
                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>Hangs up its sending side and reads what the server still sends until the server closes too.</summary>
        public void Dispose()
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
            bool drained = _drain.Wait(TimeSpan.FromSeconds(10));
            _socket.Dispose();
            Assert.That(drained, Is.True, "the server closes a connection whose client hung up");
        }
    }
}
