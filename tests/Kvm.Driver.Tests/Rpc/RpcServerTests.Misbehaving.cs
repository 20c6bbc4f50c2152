using System.Diagnostics;
using System.Net.Sockets;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>Clients that misbehave: a stream that cannot be framed, and clients that never read their replies or events.</summary>
public sealed partial class RpcServerTests
{
    [Test]
    public void Connect_LengthOverMaxPacket_DisconnectedOthersServed()
    {
        using var bad = new RpcTestClient(_f.Socket);
        using var good = new RpcTestClient(_f.Socket);
        bad.SendRaw([0x02, 0x00, 0x00, 0x01, 0, 0, 0, 0]);
        Assert.That(bad.IsClosedByServer(TimeSpan.FromSeconds(10)), Is.True);
        good.Open();
    }

    [Test]
    public void Connect_ClientNeverReads_CutOffWhileOthersAnswered()
    {
        using var reader = new RpcTestClient(_f.Socket);
        reader.Open();
        using var stuck = new RpcTestClient(_f.Socket);
        stuck.Open();
        stuck.Socket.SendTimeout = 10_000;
        var header = new RpcHeader(RpcPrograms.Remote, 1, (int)RemoteProcedure.ConnectGetCapabilities, RpcMessageType.Call, 0, RpcStatus.Ok);
        var clock = Stopwatch.StartNew();
        int sent = 0;
        try
        {
            // Calls whose replies it never reads: its socket buffer fills, then its queue (16 packets), then it is cut off.
            for (; sent < 20_000 && clock.Elapsed < TimeSpan.FromSeconds(30); sent++)
            {
                stuck.Send(header with { Serial = (uint)sent });
                if (sent % 500 == 0)
                {
                    var answered = Stopwatch.StartNew();
                    Assert.That(reader.Call(RemoteProcedure.ConnectGetHostname).Header.Status, Is.EqualTo(RpcStatus.Ok));
                    Assert.That(answered.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "another client is not held back");
                }
            }
        }
        catch (SocketException)
        {
            // the server cut it off while it was still sending
        }
        Assert.That(stuck.IsClosedByServer(TimeSpan.FromSeconds(10)), Is.True, $"cut off after {sent} unread calls");
        Assert.That(reader.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok));
    }

    [Test]
    public async Task Events_ClientNeverReadsThem_CutOffWhileAReaderGetsEveryEvent()
    {
        // A queue of 128 packets: the stuck client is cut off soon, and the reader has room for a burst while the pool is busy.
        await using RpcFixture f = await RpcFixture.StartAsync(maxQueuedPackets: 128);
        using var stuck = new RpcTestClient(f.Socket);
        stuck.Open();
        RegisterLifecycle(stuck);
        using var reader = new RpcTestClient(f.Socket);
        reader.Open();
        RegisterLifecycle(reader);
        int received = 0;
        // Blocking reads on a thread of its own, not the pool's: the server's write loops run there.
        var reading = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    if (reader.Receive().Header.Type == RpcMessageType.Message)
                    {
                        Interlocked.Increment(ref received);
                    }
                }
            }
            catch (Exception e) when (e is EndOfStreamException or SocketException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true };
        reading.Start();
        Assert.That(f.Server.ClientCount, Is.EqualTo(2));

        // Each define and undefine is an event to both: the stuck client's socket buffer fills, then its queue (16 packets), then it is cut off.
        int events = 0;
        for (int i = 0; i < 20_000 && f.Server.ClientCount == 2; i++)
        {
            Kvm.Driver.Domains.DomainInfo domain = f.Manager.Manager.Define(TestDomains.Xml("e" + new string('x', 200)));
            f.Manager.Manager.Undefine(domain.Uuid, 0);
            events += 2;
        }

        Assert.That(stuck.IsClosedByServer(TimeSpan.FromSeconds(10)), Is.True, $"cut off after {events} unread events");
        Assert.That(f.Server.ClientCount, Is.EqualTo(1), $"the reader is still connected (it got {Volatile.Read(ref received)} of {events})");
        using var caller = new RpcTestClient(f.Socket);
        caller.Open();
        Assert.That(caller.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok));
        for (int wait = 0; wait < 200 && Volatile.Read(ref received) < events; wait++)
        {
            Thread.Sleep(50);
        }
        Assert.That(Volatile.Read(ref received), Is.EqualTo(events), "the reader was sent every event");
        reader.Socket.Shutdown(SocketShutdown.Both);
        reading.Join();
    }

    private static void RegisterLifecycle(RpcTestClient client) =>
        Assert.That(client.Call(RemoteProcedure.ConnectDomainEventCallbackRegisterAny, (ref XdrWriter w) =>
        {
            w.WriteInt32(0); // VIR_DOMAIN_EVENT_ID_LIFECYCLE
            w.WriteBool(false);
        }).Header.Status, Is.EqualTo(RpcStatus.Ok));
}
