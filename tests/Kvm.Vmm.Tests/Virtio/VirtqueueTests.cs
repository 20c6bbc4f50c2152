using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>The split virtqueue on real (anonymous mmap) guest memory, driven the way Linux drives it.</summary>
public sealed partial class VirtqueueTests
{
    private const ulong Mib = 1024 * 1024;
    private const ulong Desc = 0x1000;
    private const ulong Avail = 0x3000;
    private const ulong Used = 0x4000;
    private const ulong Table = 0x8000;
    private const ulong Data = 0x10000;
    private const ulong Hole = Mib; // [1 MiB, 2 MiB) is not RAM
    private const ulong Region2 = 2 * Mib;

    private GuestMemory _memory = null!;
    private Virtqueue _queue = null!;
    private DescriptorChain _chain = null!;
    private SplitRingDriver _driver = null!;
    private bool _keepMemoryMapped;

    [SetUp]
    public void SetUp()
    {
        _memory = GuestMemory.Allocate([(0, Mib), (Region2, Mib)]);
        _queue = new Virtqueue(256);
        _chain = _queue.CreateChain();
    }

    [TearDown]
    public void TearDown()
    {
        if (!_keepMemoryMapped)
        {
            _memory.Dispose();
        }
    }

    [Test]
    public void TryActivate_ValidRings_EnablesTheQueue()
    {
        Activate();
        Assert.That(_queue.Enabled, Is.True);
        Assert.That(_queue.IsFailed, Is.False);
    }

    [TestCase((ushort)0, TestName = "TryActivate_SizeZero_IsRefused")]
    [TestCase((ushort)12, TestName = "TryActivate_SizeNotAPowerOfTwo_IsRefused")]
    [TestCase((ushort)512, TestName = "TryActivate_SizeAboveMax_IsRefused")]
    public void TryActivate_BadSize_IsRefused(ushort size)
    {
        SetRegisters(size, Desc, Avail, Used);
        Assert.That(_queue.TryActivate(_memory, false, false, out string? error), Is.False);
        Assert.That(error, Does.Contain("Queue size"));
        Assert.That(_queue.Enabled, Is.False);
    }

    [TestCase(Desc + 8, Avail, Used, TestName = "TryActivate_DescriptorTableNotAligned16_IsRefused")]
    [TestCase(Desc, Avail + 1, Used, TestName = "TryActivate_AvailableRingNotAligned2_IsRefused")]
    [TestCase(Desc, Avail, Used + 2, TestName = "TryActivate_UsedRingNotAligned4_IsRefused")]
    public void TryActivate_Misaligned_IsRefused(ulong desc, ulong avail, ulong used)
    {
        SetRegisters(16, desc, avail, used);
        Assert.That(_queue.TryActivate(_memory, false, false, out string? error), Is.False);
        Assert.That(error, Does.Contain("aligned"));
    }

    [TestCase(Hole - 16 * 8, Avail, Used, TestName = "TryActivate_DescriptorTableCrossingTheEndOfRam_IsRefused")]
    [TestCase(Desc, Hole + 0x100, Used, TestName = "TryActivate_AvailableRingInTheHole_IsRefused")]
    [TestCase(Desc, Avail, 3 * Mib - 8, TestName = "TryActivate_UsedRingCrossingTheEndOfRam_IsRefused")]
    [TestCase(Desc, Avail, ulong.MaxValue - 3, TestName = "TryActivate_UsedRingWrappingTheAddressSpace_IsRefused")]
    public void TryActivate_RingOutsideRam_IsRefused(ulong desc, ulong avail, ulong used)
    {
        SetRegisters(16, desc, avail, used);
        Assert.That(_queue.TryActivate(_memory, false, false, out string? error), Is.False);
        Assert.That(error, Does.Contain("RAM"));
    }

    [Test]
    public void TryPop_NotActivated_IsEmpty()
    {
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Empty));
    }

    [Test]
    public void TryPop_NothingAvailable_IsEmpty()
    {
        Activate();
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Empty));
    }

    [Test]
    public void TryPop_ReadableThenWritable_ReturnsTheSegmentsInOrder()
    {
        Activate();
        _driver.AddChain(3, (Data, 16, false), (Data + 0x100, 512, false), (Data + 0x1000, 1, true));

        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Head, Is.EqualTo(3));
        Assert.That(_chain.Segments.ToArray(), Is.EqualTo(new[]
        {
            new DescriptorSegment(Data, 16, false),
            new DescriptorSegment(Data + 0x100, 512, false),
            new DescriptorSegment(Data + 0x1000, 1, true),
        }));
        Assert.That(_chain.ReadableBytes, Is.EqualTo(528));
        Assert.That(_chain.WritableBytes, Is.EqualTo(1));
        Assert.That(_chain.Error, Is.Null);
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Empty));
    }

    [Test]
    public void TryPop_BufferInTheSecondRegion_IsAccepted()
    {
        Activate();
        _driver.AddChain(0, (3 * Mib - 8, 8, true));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Segments[0], Is.EqualTo(new DescriptorSegment(3 * Mib - 8, 8, true)));
    }

    [Test]
    public void TryPop_IndirectChain_ReturnsTheTablesSegments()
    {
        Activate(indirect: true);
        _driver.AddIndirectChain(5, Table, (Data, 16, false), (Data + 0x200, 4096, true), (Region2, 8, true));

        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Head, Is.EqualTo(5));
        Assert.That(_chain.Count, Is.EqualTo(3));
        Assert.That(_chain.Segments[2], Is.EqualTo(new DescriptorSegment(Region2, 8, true)));
        Assert.That(_chain.ReadableBytes, Is.EqualTo(16));
        Assert.That(_chain.WritableBytes, Is.EqualTo(4104));
    }

    [Test]
    public void TryPop_DirectDescriptorsThenIndirect_ReturnsBoth()
    {
        // §2.7.5.3.2: zero or more normal chained descriptors followed by a single indirect one is valid.
        Activate(indirect: true);
        _driver.WriteChainAt(Table, 0, [(Data + 0x100, 32, false), (Data + 0x200, 64, true)]);
        _driver.WriteDescriptor(0, Data, 8, SplitRingDriver.Next, 1);
        _driver.WriteDescriptor(1, Table, 32, SplitRingDriver.Indirect, 0);
        _driver.Publish(0);

        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Count, Is.EqualTo(3));
        Assert.That(_chain.ReadableBytes, Is.EqualTo(40));
        Assert.That(_chain.WritableBytes, Is.EqualTo(64));
    }

    [Test]
    public void TryPop_IndirectDescriptorWithWriteFlag_FlagIsIgnored()
    {
        // §2.7.5.3.2: the device ignores VIRTQ_DESC_F_WRITE on the descriptor that names the table.
        Activate(indirect: true);
        _driver.WriteChainAt(Table, 0, [(Data, 8, false)]);
        _driver.WriteDescriptor(0, Table, 16, SplitRingDriver.Indirect | SplitRingDriver.Write, 0);
        _driver.Publish(0);

        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Segments[0], Is.EqualTo(new DescriptorSegment(Data, 8, false)));
    }

    [Test]
    public void TryPop_ZeroLengthDescriptorOutsideRam_IsHarmlessAndDropped()
    {
        Activate();
        _driver.AddChain(0, (Data, 8, false), (Hole + 5, 0, true), (Data + 8, 8, true));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Count, Is.EqualTo(2));
        Assert.That(_chain.Segments[1], Is.EqualTo(new DescriptorSegment(Data + 8, 8, true)));
    }

    [Test]
    public void TryPop_RegistersRewrittenAfterActivation_AreNotFollowed()
    {
        Activate();
        _queue.DescriptorTable = Hole;
        _queue.Size = 256;
        _driver.AddChain(0, (Data, 8, false));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
        Assert.That(_chain.Segments[0].Address, Is.EqualTo(Data));
    }

    [Test]
    public void TryAddUsed_AfterPop_WritesTheElementThenPublishesTheIdx()
    {
        Activate();
        _driver.AddChain(7, (Data, 8, true));
        _queue.TryPop(_chain);

        Assert.That(_queue.TryAddUsed(_chain.Head, 6), Is.True);
        Assert.That(_driver.UsedIdx, Is.EqualTo(1));
        Assert.That(_driver.UsedElement(0), Is.EqualTo((7u, 6u)));
    }

    [Test]
    public void TryAddUsed_HeadBeyondSize_IsRefusedWithoutFailingTheQueue()
    {
        Activate();
        Assert.That(_queue.TryAddUsed(16, 0), Is.False);
        Assert.That(_queue.IsFailed, Is.False);
        Assert.That(_driver.UsedIdx, Is.EqualTo(0));
    }

    [Test]
    public void TryAddUsed_NotActivated_IsRefused()
    {
        Assert.That(_queue.TryAddUsed(0, 0), Is.False);
    }

    [Test]
    public void TryPopAndTryAddUsed_IndicesWrappingPast65535_KeepWorking()
    {
        Activate(size: 4);
        _driver.StartAt(65533);
        _queue.SetRingPositions(65533, 65533);

        for (int i = 0; i < 10; i++)
        {
            ushort head = (ushort)(i % 4);
            _driver.AddChain(head, (Data + (ulong)(i * 64), 64, true));
            Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
            Assert.That(_chain.Head, Is.EqualTo(head));
            Assert.That(_queue.TryAddUsed(head, (uint)i), Is.True);
            Assert.That(_driver.UsedElement((ushort)(_queue.NextUsed - 1)), Is.EqualTo(((uint)head, (uint)i)));
        }

        Assert.That(_driver.UsedIdx, Is.EqualTo(unchecked((ushort)(65533 + 10))));
        Assert.That(_queue.NextAvail, Is.EqualTo(unchecked((ushort)(65533 + 10))));
    }

    [Test]
    public void TryPop_SeveralAvailableAcrossTheWrap_TakesThemInOrder()
    {
        Activate(size: 8);
        _driver.StartAt(65534);
        _queue.SetRingPositions(65534, 65534);
        for (ushort i = 0; i < 8; i++)
        {
            _driver.AddChain(i, (Data, 8, false));
        }

        for (ushort i = 0; i < 8; i++)
        {
            Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
            Assert.That(_chain.Head, Is.EqualTo(i));
        }

        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Empty));
    }

    [Test]
    public void Reset_AfterUse_RestoresPowerOnValues()
    {
        Activate();
        _queue.MsixVector = 3;
        _driver.AddChain(0, (Data, 8, false));
        _queue.TryPop(_chain);
        _queue.Reset();

        Assert.That(_queue.Enabled, Is.False);
        Assert.That(_queue.IsFailed, Is.False);
        Assert.That(_queue.Size, Is.EqualTo(256));
        Assert.That(_queue.DescriptorTable, Is.EqualTo(0));
        Assert.That(_queue.AvailableRing, Is.EqualTo(0));
        Assert.That(_queue.UsedRing, Is.EqualTo(0));
        Assert.That(_queue.MsixVector, Is.EqualTo(Virtqueue.NoVector));
        Assert.That(_queue.NextAvail, Is.EqualTo(0));
        Assert.That(_queue.NextUsed, Is.EqualTo(0));
        Assert.That(_queue.TryPop(_chain), Is.EqualTo(QueuePop.Empty));
    }

    [Test]
    public void Constructor_MaxSizeNotAPowerOfTwo_Throws()
    {
        Assert.That(() => new Virtqueue(100), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void TryPop_ChainFromAnotherSmallerQueue_Throws()
    {
        Activate();
        var small = new Virtqueue(2).CreateChain();
        Assert.That(() => _queue.TryPop(small), Throws.ArgumentException);
    }

    [Test]
    public void TryPopAndTryAddUsed_ManyChains_AllocateNothing()
    {
        Activate(size: 64, eventIdx: true, indirect: true);
        _driver.WriteChainAt(Desc, 0, [(Data, 64, false), (Data + 0x100, 512, true)]);
        _driver.WriteChainAt(Table, 0, [(Data, 64, false), (Data + 0x100, 512, true), (Region2, 4096, true)]);
        _driver.WriteDescriptor(2, Table, 48, SplitRingDriver.Indirect, 0);

        RunChains(1000); // warm-up: JIT, tiering
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunChains(100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.EqualTo(0));
    }

    private void RunChains(int count)
    {
        for (int i = 0; i < count; i++)
        {
            ushort head = (ushort)((i & 1) * 2);
            _driver.Publish(head);
            if (_queue.TryPop(_chain) != QueuePop.Chain || !_queue.TryAddUsed(_chain.Head, 1))
            {
                throw new InvalidOperationException("Pop failed");
            }

            _queue.NeedsInterrupt();
        }
    }

    private void Activate(ushort size = 16, bool eventIdx = false, bool indirect = false)
    {
        SetRegisters(size, Desc, Avail, Used);
        Assert.That(_queue.TryActivate(_memory, eventIdx, indirect, out string? error), Is.True, error);
    }

    private void SetRegisters(ushort size, ulong desc, ulong avail, ulong used)
    {
        _queue.Size = size;
        _queue.DescriptorTable = desc;
        _queue.AvailableRing = avail;
        _queue.UsedRing = used;
        _driver = new SplitRingDriver(_memory, size == 0 ? (ushort)1 : size, desc, avail, used);
    }
}
