using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The typed, bounds-checked accesses devices use on shared rings.</summary>
public sealed partial class GuestMemoryTests
{
    [Test]
    public void TryReadUInt16_32_64_ReadLittleEndian()
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        memory.Write(0x100, [1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.That(memory.TryReadUInt16(0x100, out ushort u16) ? u16 : -1, Is.EqualTo(0x0201));
        Assert.That(memory.TryReadUInt32(0x100, out uint u32) ? u32 : 0, Is.EqualTo(0x04030201u));
        Assert.That(memory.TryReadUInt64(0x100, out ulong u64) ? u64 : 0, Is.EqualTo(0x0807060504030201ul));
        Assert.That(memory.TryReadUInt32(0x101, out uint unaligned) ? unaligned : 0, Is.EqualTo(0x05040302u));
    }

    [Test]
    public void TryWriteUInt16_32_WriteLittleEndian()
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        Assert.That(memory.TryWriteUInt16(0x10, 0x0201), Is.True);
        Assert.That(memory.TryWriteUInt32(0x12, 0x06050403), Is.True);
        Assert.That(memory.GetSpan(0x10, 6).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6 }));
    }

    [TestCase(Mib - 1, TestName = "TryReadUInt16_StraddlingTheEndOfARegion_IsRefused")]
    [TestCase(Mib, TestName = "TryReadUInt16_InTheGap_IsRefused")]
    [TestCase(ulong.MaxValue, TestName = "TryReadUInt16_AtTheTopOfTheAddressSpace_IsRefused")]
    public void TryReadUInt16_OutsideRam_IsRefused(ulong address)
    {
        using var memory = GuestMemory.Allocate([(0, Mib), (4 * Mib, Mib)]);
        Assert.That(memory.TryReadUInt16(address, out ushort value), Is.False);
        Assert.That(value, Is.EqualTo(0));
        Assert.That(memory.TryWriteUInt16(address, 1), Is.False);
    }

    [Test]
    public void TryReadUInt64_LastEightBytesOfARegion_IsAllowed()
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        Assert.That(memory.TryReadUInt64(Mib - 8, out _), Is.True);
        Assert.That(memory.TryReadUInt64(Mib - 7, out _), Is.False);
        Assert.That(memory.TryWriteUInt32(Mib - 3, 0), Is.False);
    }

    [Test]
    public void TryReadVolatileUInt16_Misaligned_IsRefused()
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        Assert.That(memory.TryReadVolatileUInt16(0x11, out _), Is.False);
        Assert.That(memory.TryWriteVolatileUInt16(0x11, 1), Is.False);
    }

    [Test]
    public void TryWriteVolatileUInt16_ThenRead_RoundTrips()
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        Assert.That(memory.TryWriteVolatileUInt16(0x20, 0xbeef), Is.True);
        Assert.That(memory.TryReadVolatileUInt16(0x20, out ushort value) ? value : 0, Is.EqualTo(0xbeef));
        Assert.That(memory.GetSpan(0x20, 2).ToArray(), Is.EqualTo(new byte[] { 0xef, 0xbe }));
    }

    [Test]
    public void TryRead_Struct_ReadsHostOrder()
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        memory.Write(0x40, [1, 0, 0, 0, 2, 0, 0, 0]);
        Assert.That(memory.TryRead(0x40, out (int A, int B) pair) ? pair : default, Is.EqualTo((1, 2)));
        Assert.That(memory.Read<long>(0x40), Is.EqualTo(0x0000000200000001L));
        Assert.That(() => memory.Read<long>(Mib - 4), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void TryReadAndTryWrite_Bytes_AreBoundsChecked()
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        Assert.That(memory.TryWrite(Mib - 2, [1, 2]), Is.True);
        Assert.That(memory.TryWrite(Mib - 2, [1, 2, 3]), Is.False);
        var buffer = new byte[2];
        Assert.That(memory.TryRead(Mib - 2, buffer), Is.True);
        Assert.That(buffer, Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(memory.TryRead(Mib - 1, buffer), Is.False);
    }

    [TestCase(0ul, Mib, true, TestName = "IsRam_WholeRegion_IsTrue")]
    [TestCase(Mib, 0ul, true, TestName = "IsRam_EmptyRangeAtTheEndOfARegion_IsTrue")]
    [TestCase(Mib - 1, 2ul, false, TestName = "IsRam_RangeCrossingTheEnd_IsFalse")]
    [TestCase(1ul, ulong.MaxValue, false, TestName = "IsRam_HugeLength_IsFalse")]
    [TestCase(ulong.MaxValue, 1ul, false, TestName = "IsRam_TopOfTheAddressSpace_IsFalse")]
    public void IsRam_Range_IsAnsweredWithoutOverflow(ulong address, ulong length, bool expected)
    {
        using var memory = GuestMemory.Allocate([(0, Mib)]);
        Assert.That(memory.IsRam(address, length), Is.EqualTo(expected));
    }
}
