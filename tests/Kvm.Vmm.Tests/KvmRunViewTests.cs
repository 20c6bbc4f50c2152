using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The exit details read from a kvm_run mapping, with every offset and length checked against it.</summary>
public sealed class KvmRunViewTests
{
    [Test]
    public void Constructor_MappingSmallerThanKvmRun_Throws()
    {
        byte[] mapping = new byte[2351];

        Assert.That(() => new KvmRunView(mapping), Throws.ArgumentException);
    }

    [Test]
    public void TryGetIo_KernelLayout_ReadsTheAccessAndPointsAtItsData()
    {
        var run = new FakeKvmRun().Io(isWrite: true, width: 2, port: 0x501, count: 3);
        run.Mapping.Slice(FakeKvmRun.PioDataOffset, 6).Fill(0x2a);

        bool valid = new KvmRunView(run.Mapping).TryGetIo(out var io);

        Assert.That(valid, Is.True);
        Assert.That((io.Port, io.Width, io.IsWrite, io.Count, io.Data.Length, io.Data[5]),
            Is.EqualTo(((ushort)0x501, (byte)2, true, 3, 6, (byte)0x2a)));
    }

    [Test]
    public void TryGetIo_DataEndingAtTheMappingsEnd_IsValid()
    {
        var run = new FakeKvmRun().Io(isWrite: false, width: 4, port: 0x70, count: 2, dataOffset: FakeKvmRun.MappingSize - 8);

        Assert.That(new KvmRunView(run.Mapping).TryGetIo(out _), Is.True);
    }

    [TestCase((byte)0, 1u, (ulong)FakeKvmRun.PioDataOffset)]
    [TestCase((byte)3, 1u, (ulong)FakeKvmRun.PioDataOffset)]
    [TestCase((byte)8, 1u, (ulong)FakeKvmRun.PioDataOffset)]
    [TestCase((byte)1, 1u, (ulong)FakeKvmRun.MappingSize)]
    [TestCase((byte)4, 2u, (ulong)FakeKvmRun.MappingSize - 7)]
    [TestCase((byte)1, 1u, ulong.MaxValue)]
    [TestCase((byte)1, 1u, 0xffff_ffff_ffff_f000ul)] // negative as a long: once read 4 KiB before the mapping
    [TestCase((byte)1, 1u, 0x8000_0000_0000_0000ul)]
    [TestCase((byte)4, uint.MaxValue, (ulong)FakeKvmRun.PioDataOffset)]
    [TestCase((byte)1, 0x8000_0000u, 0ul)] // negative as an int
    [TestCase((byte)2, 0x8000_0000u, 0ul)] // width × count wraps to 0 in 32 bits
    public void TryGetIo_AccessNotWhollyInTheMapping_IsRefused(byte width, uint count, ulong dataOffset)
    {
        var run = new FakeKvmRun().Io(isWrite: false, width, port: 0x3f8, count, dataOffset);

        Assert.That(new KvmRunView(run.Mapping).TryGetIo(out _), Is.False);
    }

    [Test]
    public void Mmio_KernelLayout_ReadsTheAccessAndPointsAtTheStructsData()
    {
        var run = new FakeKvmRun().Mmio(0xfed0_0000, isWrite: true, length: 4, [1, 2, 3, 4, 5, 6, 7, 8]);

        var mmio = new KvmRunView(run.Mapping).Mmio;

        Assert.That((mmio.Address, mmio.IsWrite, mmio.Data.ToArray()), Is.EqualTo((0xfed0_0000ul, true, new byte[] { 1, 2, 3, 4 })));
    }

    [TestCase(9u)]
    [TestCase(uint.MaxValue)]
    public void Mmio_LengthOverEight_IsCutToTheEightDataBytes(uint length)
    {
        var run = new FakeKvmRun().Mmio(0, isWrite: false, length);

        Assert.That(new KvmRunView(run.Mapping).Mmio.Data.Length, Is.EqualTo(8));
    }

    [Test]
    public void ExitReasonAndSystemEventType_KernelLayout_AreRead()
    {
        var run = new FakeKvmRun().SystemEvent(2);
        var view = new KvmRunView(run.Mapping);

        Assert.That((view.ExitReason, view.SystemEventType), Is.EqualTo((VcpuExit.SystemEvent, 2u)));
    }
}
