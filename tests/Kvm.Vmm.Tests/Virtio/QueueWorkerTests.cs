using System.Collections.Concurrent;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// The queue's threads on a real split ring in real memory, kicked through a real eventfd: requests served at once up
/// to the limit and never beyond it, each completion on the used ring as soon as it is done (a slow request does not
/// hold back a fast one), and one-at-a-time serving on the queue's own thread.
/// </summary>
public sealed class QueueWorkerTests
{
    private const ulong Descriptors = 0x1000;
    private const ulong Avail = 0x3000;
    private const ulong Used = 0x4000;
    private const ulong Buffers = 0x10000;
    private const ushort Size = 64;

    private GuestMemory _memory = null!;
    private Virtqueue _queue = null!;
    private SplitRingDriver _driver = null!;
    private EventFd _kick = null!;
    private CountingInterrupt _interrupt = null!;

    [SetUp]
    public void SetUp()
    {
        _memory = GuestMemory.Allocate([(0, 1 << 20)]);
        _queue = new Virtqueue(Size) { Size = Size, DescriptorTable = Descriptors, AvailableRing = Avail, UsedRing = Used };
        Assert.That(_queue.TryActivate(_memory, eventIdx: false, indirect: false, out string? error), Is.True, error);
        _driver = new SplitRingDriver(_memory, Size, Descriptors, Avail, Used);
        _kick = EventFd.Create();
        _interrupt = new CountingInterrupt();
    }

    [TearDown]
    public void TearDown()
    {
        _kick.Dispose();
        _memory.Dispose();
    }

    [Test]
    public void ManyRequests_AreServedAtOnceUpToTheLimitAndNeverBeyond()
    {
        int inFlight = 0, most = 0;
        var served = new ConcurrentBag<ushort>();
        uint Serve(DescriptorChain chain)
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            SpinWait.SpinUntil(() => Volatile.Read(ref inFlight) >= 4, 5_000); // hold until four are in flight
            Thread.Sleep(20);
            served.Add(chain.Head);
            Interlocked.Decrement(ref inFlight);
            return chain.Head;
        }

        using (var worker = new QueueWorker("test", 0, _queue, _kick, _interrupt, Serve, maxInFlight: 4))
        {
            for (ushort i = 0; i < 12; i++)
            {
                _driver.AddChain(i, (Buffers + i * 0x200UL, 0x200, true));
            }

            _kick.Signal();
            Assert.That(SpinWait.SpinUntil(() => _driver.UsedIdx == 12, 10_000), Is.True, $"used idx {_driver.UsedIdx}");
            Assert.That(worker.ServerThreads, Is.EqualTo(4));
        }

        Assert.That(most, Is.EqualTo(4), "requests in flight at once");
        Assert.That(served.Order(), Is.EqualTo(Enumerable.Range(0, 12).Select(i => (ushort)i)));
        var used = Enumerable.Range(0, 12).Select(i => _driver.UsedElement((ushort)i)).ToArray();
        Assert.That(used.All(e => e.Id == e.Length), Is.True, "each used element carries its chain's written length");
        Assert.That(_interrupt.Failed, Is.False);
    }

    [Test]
    public void ASlowRequest_DoesNotHoldBackTheOnesAfterIt()
    {
        using var release = new ManualResetEventSlim();
        uint Serve(DescriptorChain chain)
        {
            if (chain.Head == 0)
            {
                release.Wait(10_000);
            }

            return 1;
        }

        using var worker = new QueueWorker("test", 0, _queue, _kick, _interrupt, Serve, maxInFlight: 2);
        _driver.AddChain(0, (Buffers, 0x200, true));
        _driver.AddChain(1, (Buffers + 0x200, 0x200, true));
        _kick.Signal();

        Assert.That(SpinWait.SpinUntil(() => _driver.UsedIdx == 1, 10_000), Is.True, "the fast request completes while the slow one waits");
        Assert.That(_driver.UsedElement(0).Id, Is.EqualTo(1));
        Assert.That(SpinWait.SpinUntil(() => _interrupt.Notifications >= 1, 10_000), Is.True, "and the driver hears of it");

        release.Set();
        Assert.That(SpinWait.SpinUntil(() => _driver.UsedIdx == 2, 10_000), Is.True);
        Assert.That(_driver.UsedElement(1).Id, Is.EqualTo(0));
    }

    [Test]
    public void AllChainsOut_TheRingWaitsAndGoesOnWhenOneComesBack()
    {
        using var release = new SemaphoreSlim(0);
        uint Serve(DescriptorChain chain)
        {
            release.Wait(10_000);
            return 0;
        }

        using var worker = new QueueWorker("test", 0, _queue, _kick, _interrupt, Serve, maxInFlight: 2);
        for (ushort i = 0; i < 5; i++)
        {
            _driver.AddChain(i, (Buffers + i * 0x200UL, 0x200, true));
        }

        _kick.Signal();
        Assert.That(SpinWait.SpinUntil(() => _queue.NextAvail == 2, 10_000), Is.True, "two chains taken");
        Thread.Sleep(200);
        Assert.That(_queue.NextAvail, Is.EqualTo(2), "no third chain while two are out");

        release.Release(5);
        Assert.That(SpinWait.SpinUntil(() => _driver.UsedIdx == 5, 10_000), Is.True, "the rest were taken as chains came back, without a kick");
    }

    [Test]
    public void OneInFlight_IsServedOnTheQueueThreadInOrder()
    {
        var order = new ConcurrentQueue<(ushort Head, string? Thread)>();
        uint Serve(DescriptorChain chain)
        {
            order.Enqueue((chain.Head, Thread.CurrentThread.Name));
            return 0;
        }

        using var worker = new QueueWorker("test", 3, _queue, _kick, _interrupt, Serve);
        for (ushort i = 0; i < 6; i++)
        {
            _driver.AddChain(i, (Buffers + i * 0x200UL, 0x200, true));
        }

        _kick.Signal();
        Assert.That(SpinWait.SpinUntil(() => _driver.UsedIdx == 6, 10_000), Is.True);
        Assert.That(order.Select(o => o.Head), Is.EqualTo(Enumerable.Range(0, 6).Select(i => (ushort)i)));
        Assert.That(order.Select(o => o.Thread).Distinct(), Is.EqualTo(new[] { "test:q3" }));
        Assert.That(worker.ServerThreads, Is.Zero);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private sealed class CountingInterrupt : IVirtioInterrupt
    {
        private int _notifications;

        public int Notifications => Volatile.Read(ref _notifications);

        public bool Failed { get; private set; }

        public void NotifyQueue(int queue) => Interlocked.Increment(ref _notifications);

        public void NotifyConfigChange()
        {
        }

        public void Fail() => Failed = true;
    }
}
