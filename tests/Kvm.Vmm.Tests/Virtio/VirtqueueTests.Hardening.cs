using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>Each rule a hostile driver can break, one at a time: the pop answers Broken and the queue stays failed.</summary>
public sealed partial class VirtqueueTests
{
    private const ushort N = SplitRingDriver.Next;
    private const ushort W = SplitRingDriver.Write;
    private const ushort I = SplitRingDriver.Indirect;

    [Test]
    public void TryPop_AvailIdxMoreThanSizeAhead_IsBroken()
    {
        Activate();
        _driver.SetAvailIdx(17);
        AssertBroken("ahead");
    }

    [Test]
    public void TryPop_AvailIdxGoingBackwards_IsBroken()
    {
        Activate();
        _driver.SetAvailIdx(65535); // (ushort)(65535 - 0) > 16
        AssertBroken("ahead");
    }

    [Test]
    public void TryPop_AvailIdxExactlySizeAhead_IsAccepted()
    {
        Activate();
        for (ushort i = 0; i < 16; i++)
        {
            _driver.WriteDescriptor(i, Data, 8, 0, 0);
            _driver.Publish(i);
        }

        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
    }

    [Test]
    public void TryPop_HeadBeyondSize_IsBroken()
    {
        Activate();
        _driver.Publish(16);
        AssertBroken("head 16");
    }

    [Test]
    public void TryPop_NextBeyondSize_IsBroken()
    {
        Activate();
        _driver.WriteDescriptor(0, Data, 8, N, 16);
        _driver.Publish(0);
        AssertBroken("descriptor 16");
    }

    [Test]
    public void TryPop_DescriptorPointingAtItself_IsBrokenAfterAtMostSizeDescriptors()
    {
        Activate();
        _driver.WriteDescriptor(3, Data, 8, N, 3);
        _driver.Publish(3);
        AssertBroken("loop");
        Assert.That(_queue.LastWalkLength, Is.LessThanOrEqualTo(16));
    }

    [Test]
    public void TryPop_TwoDescriptorLoop_IsBroken()
    {
        Activate();
        _driver.WriteDescriptor(0, Data, 8, N, 1);
        _driver.WriteDescriptor(1, Data, 8, N, 0);
        _driver.Publish(0);
        AssertBroken("loop");
    }

    [Test]
    public void TryPop_ChainOfExactlySizeDescriptors_IsAccepted()
    {
        Activate();
        for (ushort i = 0; i < 16; i++)
        {
            _driver.WriteDescriptor(i, Data + 8UL * i, 8, i < 15 ? N : (ushort)0, (ushort)(i + 1));
        }

        _driver.Publish(0);
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Count, Is.EqualTo(16));
    }

    [TestCase(Hole, 8u, TestName = "TryPop_BufferInTheHole_IsBroken")]
    [TestCase(Hole - 4, 8u, TestName = "TryPop_BufferCrossingTheEndOfTheFirstRegion_IsBroken")]
    [TestCase(Region2 - 1, 2u, TestName = "TryPop_BufferCrossingIntoTheSecondRegion_IsBroken")]
    [TestCase(3 * Mib - 4, 8u, TestName = "TryPop_BufferCrossingTheEndOfTheLastRegion_IsBroken")]
    [TestCase(ulong.MaxValue - 3, 8u, TestName = "TryPop_BufferWrappingTheAddressSpace_IsBroken")]
    [TestCase(0ul, uint.MaxValue - 8, TestName = "TryPop_BufferLongerThanRam_IsBroken")]
    public void TryPop_BufferOutsideRam_IsBroken(ulong address, uint length)
    {
        Activate();
        _driver.WriteDescriptor(0, Data, 8, N, 1);
        _driver.WriteDescriptor(1, address, length, W, 0);
        _driver.Publish(0);
        AssertBroken("outside RAM");
    }

    [Test]
    public void TryPop_ReadableAfterWritable_IsBroken()
    {
        Activate();
        _driver.AddChain(0, (Data, 8, true), (Data + 8, 8, false));
        AssertBroken("readable descriptor after a device-writable");
    }

    [Test]
    public void TryPop_ChainLongerThan4GiB_IsBroken()
    {
        using var big = GuestMemory.Allocate([(0, 4UL << 30)]);
        _queue.Size = 16;
        _queue.DescriptorTable = Desc;
        _queue.AvailableRing = Avail;
        _queue.UsedRing = Used;
        Assert.That(_queue.TryActivate(big, false, false, out _), Is.True);
        var driver = new SplitRingDriver(big, 16, Desc, Avail, Used);
        driver.AddChain(0, (0, uint.MaxValue, false), (0, 2, false));

        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Broken));
        Assert.That(_chain.Error, Does.Contain("4 GiB"));
    }

    [Test]
    public void TryPop_IndirectNotNegotiated_IsBroken()
    {
        Activate(indirect: false);
        _driver.AddIndirectChain(0, Table, (Data, 8, false));
        AssertBroken("not negotiated");
    }

    [Test]
    public void TryPop_IndirectInsideIndirect_IsBroken()
    {
        Activate(indirect: true);
        _driver.WriteDescriptorAt(Table, 0, Table + 0x100, 16, I, 0);
        _driver.WriteDescriptor(0, Table, 16, I, 0);
        _driver.Publish(0);
        AssertBroken("inside an indirect table");
    }

    [Test]
    public void TryPop_IndirectWithNext_IsBroken()
    {
        Activate(indirect: true);
        _driver.WriteDescriptorAt(Table, 0, Data, 8, 0, 0);
        _driver.WriteDescriptor(0, Table, 16, I | N, 1);
        _driver.WriteDescriptor(1, Data, 8, 0, 0);
        _driver.Publish(0);
        AssertBroken("NEXT");
    }

    [TestCase(0u, TestName = "TryPop_IndirectTableOfZeroBytes_IsBroken")]
    [TestCase(24u, TestName = "TryPop_IndirectTableNotAMultipleOf16_IsBroken")]
    [TestCase(16u * 1025, TestName = "TryPop_IndirectTableAboveTheEntryLimit_IsBroken")]
    public void TryPop_IndirectTableBadLength_IsBroken(uint length)
    {
        Activate(indirect: true);
        _driver.WriteDescriptor(0, Table, length, I, 0);
        _driver.Publish(0);
        AssertBroken("indirect table of");
    }

    [Test]
    public void TryPop_IndirectTableAtTheEntryLimit_IsAccepted()
    {
        Activate(indirect: true);
        for (int i = 0; i < 1024; i++)
        {
            _driver.WriteDescriptorAt(Region2, i, Data, 1, i < 1023 ? N : (ushort)0, (ushort)(i + 1));
        }

        _driver.WriteDescriptor(0, Region2, 16 * 1024, I, 0);
        _driver.Publish(0);
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Count, Is.EqualTo(1024));
    }

    [TestCase(Hole - 16, 32u, TestName = "TryPop_IndirectTableCrossingTheEndOfRam_IsBroken")]
    [TestCase(Hole + 0x1000, 32u, TestName = "TryPop_IndirectTableInTheHole_IsBroken")]
    public void TryPop_IndirectTableOutsideRam_IsBroken(ulong address, uint length)
    {
        Activate(indirect: true);
        _driver.WriteDescriptor(0, address, length, I, 0);
        _driver.Publish(0);
        AssertBroken("outside RAM");
    }

    [Test]
    public void TryPop_IndirectNextBeyondTheTable_IsBroken()
    {
        Activate(indirect: true);
        _driver.WriteDescriptorAt(Table, 0, Data, 8, N, 2); // table of 2 entries
        _driver.WriteDescriptor(0, Table, 32, I, 0);
        _driver.Publish(0);
        AssertBroken("beyond its table of 2");
    }

    [Test]
    public void TryPop_IndirectLoop_IsBrokenAfterAtMostTheTableLength()
    {
        Activate(indirect: true);
        _driver.WriteDescriptorAt(Table, 0, Data, 8, N, 1);
        _driver.WriteDescriptorAt(Table, 1, Data, 8, N, 0);
        _driver.WriteDescriptor(0, Table, 32, I, 0);
        _driver.Publish(0);
        AssertBroken("loop");
        Assert.That(_queue.LastWalkLength, Is.LessThanOrEqualTo(1 + 2));
    }

    [Test]
    public void TryPop_IndirectReadableAfterWritable_IsBroken()
    {
        Activate(indirect: true);
        _driver.AddIndirectChain(0, Table, (Data, 8, true), (Data, 8, false));
        AssertBroken("readable descriptor after");
    }

    [Test]
    public void TryPop_AfterBroken_StaysBrokenUntilReset()
    {
        Activate();
        _driver.Publish(16);
        AssertBroken("head 16");
        string? first = _queue.FailureReason;

        _driver.SetAvailEntry(0, 0); // the driver "fixes" the ring: too late
        _driver.WriteDescriptor(0, Data, 8, 0, 0);
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Broken));
        Assert.That(_chain.Error, Is.EqualTo(first));
        Assert.That(_queue.TryAddUsed(0, 0), Is.False);
        Assert.That(_queue.NeedsInterrupt(), Is.False);

        _queue.Reset();
        _driver = new SplitRingDriver(_memory, 16, Desc, Avail, Used);
        _driver.SetAvailIdx(0);
        Activate();
        _driver.AddChain(0, (Data, 8, false));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_queue.IsFailed, Is.False);
    }

    private void AssertBroken(string reason)
    {
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Broken));
        Assert.That(_chain.Error, Does.Contain(reason));
        Assert.That(_chain.Count, Is.EqualTo(0));
        Assert.That(_queue.IsFailed, Is.True);
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Broken));
    }
}
