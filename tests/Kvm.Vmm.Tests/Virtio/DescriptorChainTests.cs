using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

public sealed class DescriptorChainTests
{
    private const ulong Mib = 1024 * 1024;

    private GuestMemory _memory = null!;
    private DescriptorChain _chain = null!;

    [SetUp]
    public void SetUp()
    {
        // A chain popped from a real queue: readable 4 + 3 bytes, then writable 2 + 5 bytes.
        _memory = GuestMemory.Allocate([(0, Mib)]);
        var queue = new Virtqueue(16) { Size = 16, DescriptorTable = 0x1000, AvailableRing = 0x2000, UsedRing = 0x3000 };
        Assert.That(queue.TryActivate(_memory, false, false, out _), Is.True);
        var driver = new SplitRingDriver(_memory, 16, 0x1000, 0x2000, 0x3000);
        driver.AddChain(0, (0x10000, 4, false), (0x20000, 3, false), (0x30000, 2, true), (0x40000, 5, true));
        _memory.Write(0x10000, [1, 2, 3, 4]);
        _memory.Write(0x20000, [5, 6, 7]);
        _chain = queue.CreateChain();
        Assert.That(queue.TryPop(_chain), Is.EqualTo(QueuePop.Chain));
    }

    [TearDown]
    public void TearDown() => _memory.Dispose();

    [Test]
    public void CopyFromReadable_WholeReadablePart_ReadsAcrossSegments()
    {
        var buffer = new byte[10];
        Assert.That(_chain.CopyFromReadable(_memory, 0, buffer), Is.EqualTo(7));
        Assert.That(buffer[..7], Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6, 7 }));
    }

    [Test]
    public void CopyFromReadable_WithSkip_StartsInTheRightSegment()
    {
        var buffer = new byte[2];
        Assert.That(_chain.CopyFromReadable(_memory, 3, buffer), Is.EqualTo(2));
        Assert.That(buffer, Is.EqualTo(new byte[] { 4, 5 }));
    }

    [Test]
    public void CopyFromReadable_SkipPastTheReadablePart_CopiesNothing()
    {
        Assert.That(_chain.CopyFromReadable(_memory, 7, new byte[4]), Is.EqualTo(0));
        Assert.That(_chain.CopyFromReadable(_memory, ulong.MaxValue, new byte[4]), Is.EqualTo(0));
    }

    [Test]
    public void CopyToWritable_AcrossSegments_WritesOnlyTheWritablePart()
    {
        Assert.That(_chain.CopyToWritable(_memory, 1, [9, 8, 7, 6, 5, 4, 3, 2]), Is.EqualTo(6));
        Assert.That(_memory.GetSpan(0x30000, 2).ToArray(), Is.EqualTo(new byte[] { 0, 9 }));
        Assert.That(_memory.GetSpan(0x40000, 6).ToArray(), Is.EqualTo(new byte[] { 8, 7, 6, 5, 4, 0 }));
        Assert.That(_memory.GetSpan(0x10000, 4).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void CopyToWritable_EmptySource_WritesNothing()
    {
        Assert.That(_chain.CopyToWritable(_memory, 0, []), Is.EqualTo(0));
    }
}
