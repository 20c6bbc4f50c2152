using System.Buffers.Binary;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Balloon;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// virtio-balloon on real guest memory, its queues driven as Linux's virtio_balloon drives them (page numbers on the
/// inflate queue, a statistics buffer held by the device): pages given back read as zeros afterwards, page numbers
/// outside RAM are skipped without breaking anything, the statistics are parsed and the buffer is given back each
/// period, and the configuration space carries num_pages and the driver's actual.
/// </summary>
public sealed class VirtioBalloonDeviceTests
{
    private const ulong RamBytes = 2UL << 20;
    private const ulong Buffers = 0x10000;
    private const ushort Size = 16;

    private GuestMemory _memory = null!;
    private VirtioBalloon _device = null!;
    private SplitRingDriver[] _drivers = null!;
    private EventFd[] _kicks = null!;
    private RecordingInterrupt _interrupt = null!;

    [SetUp]
    public void SetUp()
    {
        _memory = GuestMemory.Allocate([(0, RamBytes)]);
        _device = new VirtioBalloon(new VirtioBalloonConfig(), RamBytes);
        _interrupt = new RecordingInterrupt();
        _kicks = [EventFd.Create(), EventFd.Create(), EventFd.Create()];
        _drivers = new SplitRingDriver[3];
        var queues = new Virtqueue?[3];
        for (int i = 0; i < 3; i++)
        {
            ulong ring = 0x1000 + ((ulong)i * 0x1000);
            queues[i] = new Virtqueue(Size) { Size = Size, DescriptorTable = ring, AvailableRing = ring + 0x200, UsedRing = ring + 0x400 };
            Assert.That(queues[i]!.TryActivate(_memory, eventIdx: false, indirect: false, out string? error), Is.True, error);
            _drivers[i] = new SplitRingDriver(_memory, Size, ring, ring + 0x200, ring + 0x400);
        }

        _device.Activate(new VirtioActivation(_memory, VirtioFeature.Version1 | VirtioBalloon.FeatureStatsVq, queues, _kicks, _interrupt));
    }

    [TearDown]
    public void TearDown()
    {
        _device.Dispose();
        foreach (var kick in _kicks)
        {
            kick.Dispose();
        }

        _memory.Dispose();
    }

    [Test]
    public void Identity_IsTheBalloonWithInflateDeflateAndStatsQueues()
    {
        Assert.That((_device.DeviceType, _device.QueueCount, _device.ConfigSize, _device.Name, _device.Features),
            Is.EqualTo(((ushort)5, 3, 8, "balloon0", VirtioBalloon.FeatureStatsVq)));
        using var oom = new VirtioBalloon(new VirtioBalloonConfig { DeflateOnOom = true }, RamBytes);
        Assert.That(oom.Features, Is.EqualTo(VirtioBalloon.FeatureStatsVq | VirtioBalloon.FeatureDeflateOnOom));
    }

    [TestCase(1UL << 20, 256u)]
    [TestCase(RamBytes, 0u)]
    [TestCase(RamBytes * 4, 0u)]
    [TestCase(4096UL, 511u)]
    public void SetTarget_Bytes_NumPagesIsRamLessTargetAndTheDriverIsTold(ulong target, uint pages)
    {
        _device.SetTarget(target);
        Span<byte> config = stackalloc byte[4];
        _device.ReadConfig(0, config);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(config), Is.EqualTo(pages));
        Assert.That(_interrupt.ConfigChanges, Is.EqualTo(1));
    }

    [Test]
    public void WriteConfig_Actual_IsKeptAndActualBytesIsRamLessTheBalloon()
    {
        _device.WriteConfig(4, BitConverter.GetBytes(128u));
        Assert.That((_device.ActualPages, _device.ActualBytes), Is.EqualTo((128u, RamBytes - (128UL << 12))));
        _device.WriteConfig(5, [0x01]); // one byte of actual: 128 + 256
        Assert.That(_device.ActualPages, Is.EqualTo(384u));
    }

    [TestCase(0, 4)]
    [TestCase(6, 4)]
    [TestCase(8, 1)]
    [TestCase(-1, 2)]
    [TestCase(int.MaxValue, 4)]
    public void WriteConfig_NumPagesOrOutside_ChangesNothing(int offset, int length)
    {
        _device.WriteConfig(offset, new byte[length].AsSpan().ToArray().Select(_ => (byte)0xff).ToArray());
        Span<byte> config = stackalloc byte[8];
        _device.ReadConfig(0, config);
        Assert.That(config.ToArray(), Is.All.EqualTo(0));
    }

    [Test]
    public void WriteConfig_ActualBeyondRam_ActualBytesIsZeroNotNegative()
    {
        _device.WriteConfig(4, BitConverter.GetBytes(uint.MaxValue));
        Assert.That(_device.ActualBytes, Is.EqualTo(0UL));
    }

    [Test]
    public void Inflate_PageNumbers_ThosePagesReadAsZerosAfterwards()
    {
        _memory.GetSpan(0x100000, 3 * 4096).Fill(0xaa);
        _memory.GetSpan(0x103000, 4096).Fill(0xbb);
        Inflate([0x100, 0x101, 0x102]);
        Assert.That(_memory.GetSpan(0x100000, 3 * 4096).ToArray(), Is.All.EqualTo(0));
        Assert.That(_memory.GetSpan(0x103000, 4096).ToArray(), Is.All.EqualTo(0xbb), "a page not named keeps its contents");
        Assert.That((_device.PagesReleased, _device.PagesRefused), Is.EqualTo((3L, 0L)));
    }

    [Test]
    public void Inflate_PageNumbersOutsideRam_AreSkippedAndTheQueueGoesOn()
    {
        _memory.GetSpan(0x104000, 4096).Fill(0xaa);
        Inflate([uint.MaxValue, (uint)(RamBytes >> 12), 0x104, 0x80000]);
        Assert.That(_memory.GetSpan(0x104000, 4096).ToArray(), Is.All.EqualTo(0));
        Assert.That((_device.PagesReleased, _device.PagesRefused, _interrupt.Failed), Is.EqualTo((1L, 3L, false)));
        Inflate([0x105]);
        Assert.That(_device.PagesReleased, Is.EqualTo(2L), "the queue still works");
    }

    [Test]
    public void Stats_BufferFromTheDriver_IsParsedAndGivenBackEachPeriod()
    {
        var stats = new byte[(3 * BalloonStats.EntrySize) + 4];
        WriteStat(stats, 0, BalloonStatTag.TotalMemory, 1UL << 30);
        WriteStat(stats, 1, BalloonStatTag.FreeMemory, 1UL << 20);
        WriteStat(stats, 2, (BalloonStatTag)99, 7); // a tag QEMU 7.2 does not know
        _memory.Write(Buffers, stats);
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _drivers[2].AddChain(0, (Buffers, (uint)stats.Length, false));
        _kicks[2].Signal();
        Assert.That(SpinWait.SpinUntil(() => _device.Stats.LastUpdate != 0, 5_000), Is.True, "the statistics were not read");
        var seen = _device.Stats;
        Assert.That((seen[BalloonStatTag.TotalMemory], seen[BalloonStatTag.FreeMemory], seen[BalloonStatTag.SwapIn]),
            Is.EqualTo((1UL << 30, 1UL << 20, BalloonStats.NotReported)));
        Assert.That(seen.LastUpdate, Is.GreaterThanOrEqualTo(before));
        Assert.That(_drivers[2].UsedIdx, Is.EqualTo((ushort)0), "held until the device asks for fresh figures");

        _device.StatsPeriodSeconds = 1; // from none: ask at once, as QEMU
        Assert.That(SpinWait.SpinUntil(() => _drivers[2].UsedIdx == 1, 5_000), Is.True, "the buffer did not come back");
        Assert.That(_drivers[2].UsedElement(0), Is.EqualTo((0u, 0u)));
        Assert.That(_interrupt.QueueNotifications, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void Stats_BrokenRing_FailsTheDeviceWithoutThrowing()
    {
        _drivers[2].SetAvailIdx(Size + 5);
        _kicks[2].Signal();
        Assert.That(SpinWait.SpinUntil(() => _interrupt.Failed, 5_000), Is.True);
    }

    [Test]
    public void Parse_SubsetAndTrailingBytes_KeepsEarlierFiguresAndIgnoresThePartialEntry()
    {
        var first = new byte[BalloonStats.EntrySize];
        WriteStat(first, 0, BalloonStatTag.SwapIn, 5);
        var earlier = BalloonStats.Parse(first, BalloonStats.Empty, 10);
        var second = new byte[BalloonStats.EntrySize + 9];
        WriteStat(second, 0, BalloonStatTag.MajorFaults, 3);
        second[BalloonStats.EntrySize] = (byte)BalloonStatTag.SwapIn; // a partial entry that would reset swap_in
        var later = BalloonStats.Parse(second, earlier, 20);
        Assert.That((later[BalloonStatTag.SwapIn], later[BalloonStatTag.MajorFaults], later.LastUpdate), Is.EqualTo((5UL, 3UL, 20L)));
        Assert.That(BalloonStats.Empty[BalloonStatTag.SwapIn], Is.EqualTo(BalloonStats.NotReported));
    }

    [Test]
    public void Parse_HugeBuffer_ReadsAtMostMaxEntries()
    {
        var buffer = new byte[(BalloonStats.MaxEntries + 1) * BalloonStats.EntrySize];
        for (int i = 0; i <= BalloonStats.MaxEntries; i++)
        {
            WriteStat(buffer, i, BalloonStatTag.MinorFaults, (ulong)i);
        }

        Assert.That(BalloonStats.Parse(buffer, BalloonStats.Empty, 1)[BalloonStatTag.MinorFaults], Is.EqualTo((ulong)BalloonStats.MaxEntries - 1));
    }

    private void Inflate(uint[] pages)
    {
        var bytes = new byte[pages.Length * 4];
        for (int i = 0; i < pages.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), pages[i]);
        }

        _memory.Write(Buffers, bytes);
        ushort used = _drivers[0].UsedIdx;
        _drivers[0].AddChain((ushort)(used % Size), (Buffers, (uint)bytes.Length, false));
        _kicks[0].Signal();
        Assert.That(SpinWait.SpinUntil(() => _drivers[0].UsedIdx != used, 5_000), Is.True, "the inflate buffer did not come back");
    }

    private static void WriteStat(byte[] buffer, int index, BalloonStatTag tag, ulong value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(index * BalloonStats.EntrySize), (ushort)tag);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan((index * BalloonStats.EntrySize) + 2), value);
    }

    private sealed class RecordingInterrupt : IVirtioInterrupt
    {
        private int _queueNotifications;
        private int _configChanges;
        private volatile bool _failed;

        public int QueueNotifications => Volatile.Read(ref _queueNotifications);

        public int ConfigChanges => Volatile.Read(ref _configChanges);

        public bool Failed => _failed;

        public void NotifyQueue(int queue) => Interlocked.Increment(ref _queueNotifications);

        public void NotifyConfigChange() => Interlocked.Increment(ref _configChanges);

        public void Fail() => _failed = true;
    }
}
