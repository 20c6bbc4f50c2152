using System.Collections.Concurrent;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

[CancelAfter(30_000)]
public sealed class DomainEventsTests
{
    private static readonly Guid s_a = TestDomains.UuidOf("a");
    private static readonly Guid s_b = TestDomains.UuidOf("b");

    [Test]
    public async Task Raise_ManyEventsOfTwoDomains_DeliveredInPostedOrder()
    {
        var received = new ConcurrentQueue<(Guid, int)>();
        var events = new DomainEvents();
        events.LifecycleEvent += e => received.Enqueue((e.Uuid, e.Detail));
        var expected = new List<(Guid, int)>();
        for (int i = 0; i < 1000; i++)
        {
            Guid uuid = i % 3 == 0 ? s_b : s_a;
            events.Raise(uuid, DomainEventType.Defined, i);
            expected.Add((uuid, i));
        }

        await events.DisposeAsync();
        Assert.That(received, Is.EqualTo(expected));
    }

    [Test]
    public async Task Raise_SubscriberThrows_LaterEventsStillDelivered()
    {
        var received = new ConcurrentQueue<int>();
        var events = new DomainEvents();
        events.LifecycleEvent += e =>
        {
            received.Enqueue(e.Detail);
            if (e.Detail == 1)
            {
                throw new InvalidOperationException("a subscriber's bug");
            }
        };
        events.Raise(s_a, DomainEventType.Started, 1);
        events.Raise(s_b, DomainEventType.Started, 2);
        await events.DisposeAsync();
        Assert.That(received, Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public async Task RaiseTransition_EventsAndReboot_InTheTransitionsOrderThenTheReboot()
    {
        var received = new ConcurrentQueue<string>();
        var events = new DomainEvents();
        events.LifecycleEvent += e => received.Enqueue($"{(int)e.Event}/{e.Detail}");
        events.Rebooted += _ => received.Enqueue("reboot");
        var transition = new DomainTransition(DomainState.Paused, DomainStateReason.PausedUser,
            [(DomainEventType.Started, DomainEventDetail.StartedBooted), (DomainEventType.Suspended, DomainEventDetail.SuspendedPaused)], Rebooted: true);
        events.Raise(s_a, transition);
        await events.DisposeAsync();
        Assert.That(received, Is.EqualTo(new[] { "2/0", "3/0", "reboot" }));
    }

    [Test]
    public async Task Raise_NoSubscriber_NothingHappens()
    {
        var events = new DomainEvents();
        events.Raise(s_a, DomainEventType.Stopped, DomainEventDetail.StoppedDestroyed);
        events.RaiseRebooted(s_a);
        await events.DisposeAsync();
        Assert.Pass();
    }
}
