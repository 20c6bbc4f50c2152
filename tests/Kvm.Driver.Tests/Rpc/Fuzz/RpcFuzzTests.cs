using System.Diagnostics;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc.Fuzz;

/// <summary>
/// Seeded malformed packets (<see cref="FuzzPackets"/>) against a running RPC server over the real driver core. The
/// server must survive without a defect, keep its memory bounded, answer every call it reads with a well-formed reply
/// (libvirt's errors where libvirt sends one), cut off a stream it cannot frame, and keep answering a well-behaved
/// client throughout.
/// </summary>
public sealed class RpcFuzzTests
{
    /// <summary>CI's seed; KVM_RPC_FUZZ_SEED runs another.</summary>
    private static readonly int s_seed = int.TryParse(Environment.GetEnvironmentVariable("KVM_RPC_FUZZ_SEED"), out int seed) ? seed : 1729;

    /// <summary>The issue's count, run by CI; KVM_RPC_FUZZ_PACKETS asks for more (or fewer).</summary>
    private static readonly int s_packets =
        int.TryParse(Environment.GetEnvironmentVariable("KVM_RPC_FUZZ_PACKETS"), out int packets) && packets > 0 ? packets : 100_000;

    [Test]
    [CancelAfter(600_000)]
    public async Task MalformedPackets_Seeded_ServerSurvivesBoundedAndOthersAnswered(CancellationToken cancellationToken)
    {
        // Storage pools are served too, so their procedures (the argument decoding of pools and volumes) are fuzzed past "not supported".
        await using RpcFixture f = await RpcFixture.StartAsync(hostObjects: m =>
            new Kvm.Driver.Api.HostObjects(Pools: new Kvm.Driver.Pools.StoragePoolManager(Path.Combine(m.Root, "pool-state"))));
        using var bystander = new RpcTestClient(f.Socket);
        bystander.Open();
        var generator = new FuzzPackets(s_seed);
        var answers = new FuzzAnswers();
        var sent = new Dictionary<FuzzKind, int>();
        (long heapBefore, long workingSetBefore) = Memory();
        long heapPeak = heapBefore;
        int reconnects = 0;
        FuzzPeer peer = FuzzPeer.Connect(f.Socket, answers);
        try
        {
            for (int i = 0; i < s_packets && !cancellationToken.IsCancellationRequested; i++)
            {
                byte[] packet = generator.Next(out FuzzKind kind, out bool closeAfter);
                sent[kind] = sent.GetValueOrDefault(kind) + 1;
                if (!peer.TrySend(packet) || closeAfter)
                {
                    peer.Dispose();
                    peer = FuzzPeer.Connect(f.Socket, answers);
                    reconnects++;
                }
                if (i % 500 == 0)
                {
                    Assert.That(bystander.Call(RemoteProcedure.ConnectGetType).Header.Status, Is.EqualTo(RpcStatus.Ok), $"after packet {i}");
                    heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
                }
            }
        }
        finally
        {
            peer.Dispose();
        }
        (long heapAfter, long workingSetAfter) = Memory();

        TestContext.Out.WriteLine($"seed {s_seed}: {s_packets} packets ({string.Join(", ", sent.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}), "
            + $"{reconnects} connections cut or closed, {answers.OkReplies} OK replies; heap {heapBefore >> 20} -> {heapAfter >> 20} MiB "
            + $"(peak {heapPeak >> 20}), working set {workingSetBefore >> 20} -> {workingSetAfter >> 20} MiB");
        foreach ((string error, int count) in answers.Errors.OrderByDescending(e => e.Value))
        {
            TestContext.Out.WriteLine($"  {count,7}  {error}");
        }
        Assert.That(answers.Problems, Is.Empty, "every packet the server sent is a well-formed reply");
        Assert.That(f.Server.FailedClients, Is.Zero, "no connection ended in an unexpected exception");
        Assert.That(f.Server.FailedCalls, Is.Zero, "no call failed with an unexpected exception");
        // libvirt's own errors for what the generator aims at, each reached.
        Assert.That(answers.Errors.Keys, Has.Some.EqualTo("39/7 Cannot find program N version N"));
        Assert.That(answers.Errors.Keys, Has.Some.EqualTo("39/7 unknown procedure: N"));
        Assert.That(answers.Errors.Keys, Has.Some.EqualTo("39/7 Unable to decode message payload"));
        Assert.That(answers.Errors.Keys, Has.Some.EqualTo("39/7 Unexpected message status N"));
        Assert.That(reconnects, Is.GreaterThan(s_packets / 20), "the generator reaches the framing checks that disconnect");
        Assert.That(answers.OkReplies, Is.GreaterThan(0), "some hostile calls were valid enough to succeed");
        Assert.That(heapPeak - heapBefore, Is.LessThan(256L << 20), "the managed heap stays bounded during the run");
        Assert.That(heapAfter - heapBefore, Is.LessThan(32L << 20), "nothing is kept once the connections are gone");
        Assert.That(workingSetAfter - workingSetBefore, Is.LessThan(512L << 20), "the process's resident memory stays bounded");
        Assert.That(f.Server.ClientCount, Is.EqualTo(1), "only the bystander is still connected");
        Assert.That(bystander.Call(RemoteProcedure.ConnectListAllDomains, (ref XdrWriter w) =>
        {
            w.WriteInt32(1);
            w.WriteUInt32(0);
        }).Header.Status, Is.EqualTo(RpcStatus.Ok), "the bystander is still answered after the run");
        using var fresh = new RpcTestClient(f.Socket);
        fresh.Open();
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }
}
