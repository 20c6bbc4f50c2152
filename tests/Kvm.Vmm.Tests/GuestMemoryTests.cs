using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

public sealed partial class GuestMemoryTests
{
    private const ulong Mib = 1024 * 1024;

    [Test]
    public void Write_ThenGetSpan_ReadsTheSameBytes()
    {
        using var memory = GuestMemory.Allocate([(0, 2 * Mib), (4096 * Mib, Mib)]);
        memory.Write(4096 * Mib + 10, [1, 2, 3]);
        Assert.That(memory.GetSpan(4096 * Mib + 10, 3).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [TestCase(2 * Mib - 2, 3, TestName = "TryGetSpan_RangeCrossingTheEndOfARegion_IsRefused")]
    [TestCase(2 * Mib, 1, TestName = "TryGetSpan_RangeInTheGapBetweenRegions_IsRefused")]
    [TestCase(ulong.MaxValue - 1, 4, TestName = "TryGetSpan_RangeWrappingAroundTheAddressSpace_IsRefused")]
    [TestCase(0ul, -1, TestName = "TryGetSpan_NegativeLength_IsRefused")]
    public void TryGetSpan_OutsideGuestRam_IsRefused(ulong address, int length)
    {
        using var memory = GuestMemory.Allocate([(0, 2 * Mib), (4096 * Mib, Mib)]);
        Assert.That(memory.TryGetSpan(address, length, out _), Is.False);
    }

    [Test]
    public void TryGetSpan_LastByteOfARegion_IsAllowed()
    {
        using var memory = GuestMemory.Allocate([(0, 2 * Mib)]);
        Assert.That(memory.TryGetSpan(2 * Mib - 1, 1, out var span), Is.True);
        Assert.That(span.Length, Is.EqualTo(1));
    }

    [Test]
    public void Allocate_UnalignedRegion_IsRefusedWithTheAddress()
    {
        var e = Assert.Throws<ArgumentException>(() => GuestMemory.Allocate([(0x1001, Mib)]));
        Assert.That(e!.Message, Does.Contain("0x1001"));
    }
}
