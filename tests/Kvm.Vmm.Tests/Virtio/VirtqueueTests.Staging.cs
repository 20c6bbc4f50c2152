using Kvm.Vmm.Devices.Virtio;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>Several used elements published with one idx store, and chains given back after a pop (virtio-net's MRG_RXBUF needs both).</summary>
public sealed partial class VirtqueueTests
{
    [Test]
    public void TryStageUsed_ThreeChains_DriverSeesNoneUntilPublishUsedThenAllInOrder()
    {
        Activate();
        for (ushort head = 0; head < 3; head++)
        {
            _driver.AddChain(head, (Data + (0x1000UL * head), 64, true));
        }

        var heads = new List<ushort>();
        while (_queue.TryPop(_chain) == QueuePop.Chain)
        {
            heads.Add(_chain.Head);
            Assert.That(_queue.TryStageUsed(_chain.Head, (uint)(10 + _chain.Head)), Is.True);
        }

        Assert.That(_driver.UsedIdx, Is.Zero, "staged elements are not published");
        _queue.PublishUsed();

        Assert.That(heads, Is.EqualTo(new ushort[] { 0, 1, 2 }));
        Assert.That(_driver.UsedIdx, Is.EqualTo(3));
        Assert.That(Enumerable.Range(0, 3).Select(i => _driver.UsedElement((ushort)i)), Is.EqualTo(new[] { (0u, 10u), (1u, 11u), (2u, 12u) }));
        Assert.That(_queue.NeedsInterrupt(), Is.True);
    }

    [Test]
    public void TryStageUsed_MoreThanTheRing_IsRefused()
    {
        Activate(size: 4);
        for (int i = 0; i < 4; i++)
        {
            Assert.That(_queue.TryStageUsed(0, 0), Is.True);
        }

        Assert.That(_queue.TryStageUsed(0, 0), Is.False, "a fifth staged element would overwrite the first");
        _queue.PublishUsed();
        Assert.That(_driver.UsedIdx, Is.EqualTo(4));
    }

    [Test]
    public void Unpop_TwoChains_TheNextPopsTakeThemAgainAndAvailEventStays()
    {
        Activate(eventIdx: true);
        _driver.AddChain(0, (Data, 64, true));
        _driver.AddChain(1, (Data + 0x1000, 64, true));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_driver.AvailEvent, Is.EqualTo(2));

        _queue.Unpop(2);

        Assert.That(_queue.NextAvail, Is.Zero);
        Assert.That(_driver.AvailEvent, Is.EqualTo(2), "a kick is still asked for the next buffer the driver adds, not for those given back");
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Head, Is.Zero);
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Head, Is.EqualTo(1));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Empty));
    }
}
