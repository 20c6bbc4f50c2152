using Kvm.Vmm.Devices.Virtio;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>Interrupt and notification suppression (§2.7.7, §2.7.10), both with and without VIRTIO_F_EVENT_IDX.</summary>
public sealed partial class VirtqueueTests
{
    [Test]
    public void NeedsInterrupt_NoEventIdxAndNoFlags_IsTrue()
    {
        Activate();
        PopAndReturn(1);
        Assert.That(_queue.NeedsInterrupt(), Is.True);
    }

    [Test]
    public void NeedsInterrupt_NoInterruptFlagSet_IsFalse()
    {
        Activate();
        _driver.AvailFlags = 1; // VIRTQ_AVAIL_F_NO_INTERRUPT
        PopAndReturn(1);
        Assert.That(_queue.NeedsInterrupt(), Is.False);
    }

    [Test]
    public void NeedsInterrupt_NothingAddedSinceLastCall_IsFalse()
    {
        Activate();
        PopAndReturn(1);
        _queue.NeedsInterrupt();
        Assert.That(_queue.NeedsInterrupt(), Is.False);
    }

    [Test]
    public void NeedsInterrupt_EventIdxAtTheOldUsedIdx_IsTrue()
    {
        Activate(eventIdx: true);
        _driver.UsedEvent = 0; // "interrupt me when used idx passes 0"
        PopAndReturn(1);
        Assert.That(_queue.NeedsInterrupt(), Is.True);
    }

    [Test]
    public void NeedsInterrupt_EventIdxAhead_IsFalse()
    {
        Activate(eventIdx: true);
        _driver.UsedEvent = 5;
        PopAndReturn(3);
        Assert.That(_queue.NeedsInterrupt(), Is.False);
    }

    [Test]
    public void NeedsInterrupt_SeveralAddsCrossingTheEventIdx_IsTrue()
    {
        Activate(eventIdx: true);
        _driver.UsedEvent = 2; // crossed when used idx goes from <= 2 to > 2
        PopAndReturn(5);
        Assert.That(_queue.NeedsInterrupt(), Is.True);
        PopAndReturn(2); // 5 -> 7, event 2 already behind
        Assert.That(_queue.NeedsInterrupt(), Is.False);
    }

    [Test]
    public void NeedsInterrupt_EventIdxIgnoresNoInterruptFlag_IsTrue()
    {
        Activate(eventIdx: true);
        _driver.AvailFlags = 1;
        _driver.UsedEvent = 0;
        PopAndReturn(1);
        Assert.That(_queue.NeedsInterrupt(), Is.True);
    }

    [Test]
    public void NeedsInterrupt_EventIdxAcrossThe16BitWrap_FollowsVringNeedEvent()
    {
        Activate(size: 8, eventIdx: true);
        _driver.StartAt(65533);
        _queue.SetRingPositions(65533, 65533);
        _driver.UsedEvent = 65535;
        PopAndReturn(2); // 65533 -> 65535: used_event 65535 not yet passed
        Assert.That(_queue.NeedsInterrupt(), Is.False);
        PopAndReturn(2); // 65535 -> 1: passed
        Assert.That(_queue.NeedsInterrupt(), Is.True);
    }

    [Test]
    public void TryPop_EventIdxWithNotificationsEnabled_PublishesTheNextAvailAsAvailEvent()
    {
        Activate(eventIdx: true);
        _driver.AddChain(0, (Data, 8, false));
        _driver.AddChain(1, (Data, 8, false));
        _queue.TryPop(_chain);
        Assert.That(_driver.AvailEvent, Is.EqualTo(1));
        _queue.TryPop(_chain);
        Assert.That(_driver.AvailEvent, Is.EqualTo(2));
    }

    [Test]
    public void DisableNotifications_EventIdx_StopsMovingAvailEvent()
    {
        Activate(eventIdx: true);
        _queue.DisableNotifications();
        _driver.AddChain(0, (Data, 8, false));
        _queue.TryPop(_chain);
        Assert.That(_driver.AvailEvent, Is.EqualTo(0));
        Assert.That(_driver.UsedFlags, Is.EqualTo(0));
    }

    [Test]
    public void EnableNotifications_EventIdx_SetsAvailEventToTheNextAvail()
    {
        Activate(eventIdx: true);
        _queue.DisableNotifications();
        _driver.AddChain(0, (Data, 8, false));
        _queue.TryPop(_chain);
        Assert.That(_queue.EnableNotifications(), Is.False);
        Assert.That(_driver.AvailEvent, Is.EqualTo(1));
    }

    [Test]
    public void DisableNotifications_NoEventIdx_SetsNoNotify()
    {
        Activate();
        _queue.DisableNotifications();
        Assert.That(_driver.UsedFlags, Is.EqualTo(1)); // VIRTQ_USED_F_NO_NOTIFY
    }

    [Test]
    public void EnableNotifications_BufferArrivedWhileDisabled_ClearsNoNotifyAndReportsIt()
    {
        Activate();
        _queue.DisableNotifications();
        _driver.AddChain(0, (Data, 8, false));
        Assert.That(_queue.EnableNotifications(), Is.True);
        Assert.That(_driver.UsedFlags, Is.EqualTo(0));
    }

    private void PopAndReturn(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _driver.AddChain(0, (Data, 8, true));
            Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
            Assert.That(_queue.TryAddUsed(_chain.Head, 8), Is.True);
        }
    }
}
