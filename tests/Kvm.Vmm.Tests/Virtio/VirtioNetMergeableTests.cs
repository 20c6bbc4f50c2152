using System.Buffers.Binary;
using NUnit.Framework;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// The userspace datapath's receive path with VIRTIO_NET_F_MRG_RXBUF (virtio 1.2, 5.1.6.3.2, 5.1.6.4), on real guest
/// memory with a fake backend, driven as Linux's virtio_net drives mergeable buffers (one writable descriptor per
/// chain): a frame fills as many chains as it needs and its header says how many; with too few buffers it waits for
/// more; a hostile chain among them breaks the device alone.
/// </summary>
public sealed class VirtioNetMergeableTests
{
    private const ulong Buffers = VirtioNetGuest.Buffers;
    private const ulong Accepted = H.FeatureMac | H.FeatureStatus | H.FeatureMrgRxbuf;

    private VirtioNetGuest _guest = null!;

    [SetUp]
    public void SetUp() => _guest = new VirtioNetGuest(driverFeatures: Accepted);

    [TearDown]
    public void TearDown()
    {
        Assert.That(_guest.Device.ThreadFailures, Is.Zero, "exceptions on the device's thread");
        _guest.Dispose();
    }

    [Test]
    public void Features_UserspaceDatapath_OffersMrgRxbuf() =>
        Assert.That(_guest.Transport.DeviceFeatures & H.FeatureMrgRxbuf, Is.EqualTo(H.FeatureMrgRxbuf));

    [Test]
    public void Receive_SmallFrame_FillsOneBufferWithNumBuffersOne()
    {
        AddBuffers(3, 1526);
        var frame = Frame(60, seed: 1);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. frame]);

        VirtioNetGuest.WaitUsed(_guest.Rx, 1);

        Assert.That(_guest.Rx.UsedElement(0), Is.EqualTo((0u, (uint)(H.Size + frame.Length))));
        Assert.That(NumBuffers(0), Is.EqualTo(1));
        Assert.That(_guest.Memory.GetSpan(Buffers + H.Size, frame.Length).ToArray(), Is.EqualTo(frame));
    }

    [Test]
    public void Receive_FrameLargerThanABuffer_SpreadsOverThreeWithNumBuffersThree()
    {
        AddBuffers(5, 512);
        var frame = Frame(1200, seed: 2); // 12 + 1200 = 512 + 512 + 188
        _guest.Backend.Enqueue([.. new byte[H.Size], .. frame]);

        VirtioNetGuest.WaitUsed(_guest.Rx, 3);

        Assert.That(Enumerable.Range(0, 3).Select(i => _guest.Rx.UsedElement((ushort)i)), Is.EqualTo(new[] { (0u, 512u), (1u, 512u), (2u, 188u) }));
        Assert.That(NumBuffers(0), Is.EqualTo(3));
        var received = _guest.Memory.GetSpan(Buffers + H.Size, 500).ToArray()
            .Concat(_guest.Memory.GetSpan(Buffers + 0x1000, 512).ToArray())
            .Concat(_guest.Memory.GetSpan(Buffers + 0x2000, 188).ToArray());
        Assert.That(received, Is.EqualTo(frame));
        Assert.That((_guest.Device.Stats.RxPackets, _guest.Device.Stats.RxBytes, _guest.Device.Stats.RxDropped), Is.EqualTo((1L, 1200L, 0L)));

        // The next frame starts in the next buffer, not in what is left of the last one.
        var second = Frame(100, seed: 3);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. second]);
        VirtioNetGuest.WaitUsed(_guest.Rx, 4);
        Assert.That(_guest.Rx.UsedElement(3), Is.EqualTo((3u, (uint)(H.Size + 100))));
        Assert.That(_guest.Memory.GetSpan(Buffers + 0x3000 + H.Size, 100).ToArray(), Is.EqualTo(second));
    }

    [Test]
    public void Receive_LargestFrameOverSixteenPages_ArrivesWhole()
    {
        AddBuffers(16, 4096);
        var frame = Frame(16 * 4096 - H.Size, seed: 4);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. frame]);

        VirtioNetGuest.WaitUsed(_guest.Rx, 16);

        Assert.That(NumBuffers(0), Is.EqualTo(16));
        Assert.That(Enumerable.Range(0, 16).All(i => _guest.Rx.UsedElement((ushort)i) == ((uint)i, 4096u)), Is.True);
        Assert.That(_guest.Memory.GetSpan(Buffers + H.Size, frame.Length).ToArray(), Is.EqualTo(frame));
    }

    [Test]
    public void Receive_TooFewBuffers_TheFrameWaitsForMoreThenArrivesWhole()
    {
        AddBuffers(2, 512);
        var frame = Frame(1500, seed: 5); // 12 + 1500 = 512 + 512 + 488
        _guest.Backend.Enqueue([.. new byte[H.Size], .. frame]);
        Assert.That(SpinWait.SpinUntil(() => _guest.Device.Stats.RxWaits == 1, 10_000), Is.True, "the frame that did not fit waits");
        Assert.That(_guest.Rx.UsedIdx, Is.Zero, "no part of it reached the driver");

        var next = Frame(400, seed: 6);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. next]);
        AddBuffers(2, 512, first: 2);

        VirtioNetGuest.WaitUsed(_guest.Rx, 4);
        Assert.That(Enumerable.Range(0, 4).Select(i => _guest.Rx.UsedElement((ushort)i)), Is.EqualTo(new[] { (0u, 512u), (1u, 512u), (2u, 488u), (3u, (uint)(H.Size + 400)) }),
            "the waiting frame first, over the two old buffers and a new one, then the next frame");
        Assert.That((NumBuffers(0), NumBuffers(3)), Is.EqualTo((3, 1)));
        var received = _guest.Memory.GetSpan(Buffers + H.Size, 500).ToArray()
            .Concat(_guest.Memory.GetSpan(Buffers + 0x1000, 512).ToArray())
            .Concat(_guest.Memory.GetSpan(Buffers + 0x2000, 488).ToArray());
        Assert.That(received, Is.EqualTo(frame));
        Assert.That((_guest.Device.Stats.RxDropped, _guest.Device.Stats.RxPackets), Is.EqualTo((0L, 2L)));
        Assert.That(_guest.NeedsReset, Is.False);
    }

    [TestCase(8u, false, TestName = "Receive_SecondBufferShorterThanAHeader_BreaksTheDevice")]
    [TestCase(512u, true, TestName = "Receive_SecondBufferDeviceReadable_BreaksTheDevice")]
    public void Receive_HostileSecondBuffer_BreaksTheDeviceAlone(uint length, bool readable)
    {
        _guest.Rx.AddChain(0, (Buffers, 512, true));
        _guest.Rx.AddChain(1, (Buffers + 0x1000, length, !readable));
        _guest.Kick(H.ReceiveQueue);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. Frame(1000, seed: 7)]);

        Assert.That(SpinWait.SpinUntil(() => _guest.NeedsReset, 10_000), Is.True, "DEVICE_NEEDS_RESET");
        Assert.That(_guest.Rx.UsedIdx, Is.Zero, "nothing of the frame was published");

        _guest.Restart();
        AddBuffers(1, 1526);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. Frame(60, seed: 8)]);
        VirtioNetGuest.WaitUsed(_guest.Rx, 1);
        Assert.That(NumBuffers(0), Is.EqualTo(1), "after the reset the device works again");
    }

    /// <summary>count single-descriptor chains of length bytes each, chain i at Buffers + i x 4 KiB, as add_recvbuf_mergeable makes them; then a kick.</summary>
    private void AddBuffers(int count, uint length, int first = 0)
    {
        for (int i = first; i < first + count; i++)
        {
            _guest.Rx.AddChain((ushort)i, (Buffers + (0x1000UL * (uint)i), length, true));
        }

        _guest.Kick(H.ReceiveQueue);
    }

    private ushort NumBuffers(int buffer) => BinaryPrimitives.ReadUInt16LittleEndian(_guest.Memory.GetSpan(Buffers + (0x1000UL * (uint)buffer) + H.NumBuffersOffset, 2));

    private static byte[] Frame(int length, int seed)
    {
        var frame = new byte[length];
        new Random(seed).NextBytes(frame);
        return frame;
    }
}
