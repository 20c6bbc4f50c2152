using Kvm.Vmm.Devices.Virtio.Net;
using NUnit.Framework;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// virtio-net over the modern virtio-pci transport, driven as Linux's virtio_net drives it, on real guest memory with
/// a fake backend: frames both ways with their header, drops when the guest has no buffers, the link, and chains a
/// hostile driver builds, which must break the device alone (DEVICE_NEEDS_RESET) without an exception.
/// </summary>
public sealed class VirtioNetDeviceTests
{
    private const ulong Buffers = VirtioNetGuest.Buffers;

    private VirtioNetGuest _guest = null!;

    [SetUp]
    public void SetUp() => _guest = new VirtioNetGuest(new VirtioNetConfig { Mac = [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef], Mtu = 9000 });

    [TearDown]
    public void TearDown() => _guest.Dispose();

    [Test]
    public void DeviceConfig_AfterStart_HoldsMacLinkUpOnePairAndMtu()
    {
        byte[] config = _guest.DeviceConfig(H.ConfigSize);

        Assert.That(config[..6], Is.EqualTo(new byte[] { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef }));
        Assert.That(BitConverter.ToUInt16(config, H.ConfigStatusOffset), Is.EqualTo(H.StatusLinkUp));
        Assert.That(BitConverter.ToUInt16(config, H.ConfigMaxPairsOffset), Is.EqualTo(1));
        Assert.That(BitConverter.ToUInt16(config, H.ConfigMtuOffset), Is.EqualTo(9000));
        Assert.That(_guest.Transport.DeviceFeatures & (H.FeatureMac | H.FeatureStatus | H.FeatureMtu), Is.EqualTo(H.FeatureMac | H.FeatureStatus | H.FeatureMtu));
    }

    [Test]
    public void Constructor_MulticastMac_Throws()
    {
        using var backend = new FakeNetBackend();
        Assert.That(() => new VirtioNet(backend, new VirtioNetConfig { Mac = [0x01, 0, 0x5e, 0, 0, 1] }), Throws.ArgumentException);
    }

    [Test]
    public void Transmit_ChainOverTwoBuffers_ReachesTheBackendWithAPlainHeader()
    {
        var header = Enumerable.Repeat((byte)0xff, H.Size).ToArray(); // a guest asking for offloads it did not negotiate
        var frame = Frame(100, seed: 1);
        _guest.Memory.Write(Buffers, header);
        _guest.Memory.Write(Buffers + 0x100, frame);

        _guest.Tx.AddChain(0, (Buffers, H.Size, false), (Buffers + 0x100, (uint)frame.Length, false));
        _guest.Kick(H.TransmitQueue);
        VirtioNetGuest.WaitUsed(_guest.Tx, 1);

        Assert.That(_guest.Backend.Written.TryDequeue(out var sent), Is.True);
        Assert.That(sent!, Is.EqualTo(new byte[H.Size].Concat(frame).ToArray()));
        Assert.That(_guest.Tx.UsedElement(0), Is.EqualTo((0u, 0u)));
        Assert.That((_guest.Device.Stats.TxPackets, _guest.Device.Stats.TxBytes), Is.EqualTo((1L, 100L)));
        Assert.That(_guest.NeedsReset, Is.False);
    }

    [Test]
    public void Receive_FrameWithABuffer_LandsWithTheHeaderAndItsLength()
    {
        _guest.Rx.AddChain(0, (Buffers, 1526, true));
        _guest.Kick(H.ReceiveQueue);
        var frame = Frame(60, seed: 2);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. frame]);

        VirtioNetGuest.WaitUsed(_guest.Rx, 1);

        Assert.That(_guest.Rx.UsedElement(0), Is.EqualTo((0u, (uint)(H.Size + frame.Length))));
        var header = new byte[H.Size];
        header[H.NumBuffersOffset] = 1;
        Assert.That(_guest.Memory.GetSpan(Buffers, H.Size + frame.Length).ToArray(), Is.EqualTo(header.Concat(frame).ToArray()));
        Assert.That((_guest.Device.Stats.RxPackets, _guest.Device.Stats.RxBytes), Is.EqualTo((1L, 60L)));
    }

    [Test]
    public void Receive_FrameSplitOverHeaderAndDataBuffers_IsScattered()
    {
        _guest.Rx.AddChain(2, (Buffers, H.Size, true), (Buffers + 0x1000, 40, true), (Buffers + 0x2000, 1500, true));
        var frame = Frame(200, seed: 3);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. frame]);

        VirtioNetGuest.WaitUsed(_guest.Rx, 1);

        Assert.That(_guest.Rx.UsedElement(0), Is.EqualTo((2u, (uint)(H.Size + 200))));
        Assert.That(_guest.Memory.GetSpan(Buffers + 0x1000, 40).ToArray().Concat(_guest.Memory.GetSpan(Buffers + 0x2000, 160).ToArray()), Is.EqualTo(frame));
    }

    [Test]
    public void Receive_NoBuffers_TheFrameWaitsUntilBuffersComeThenTheNextFollows()
    {
        var first = Frame(60, seed: 4);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. first]);
        Assert.That(SpinWait.SpinUntil(() => _guest.Device.Stats.RxWaits == 1, 10_000), Is.True);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. Frame(70, seed: 5)]);

        _guest.Rx.AddChain(0, (Buffers, 1526, true));
        _guest.Kick(H.ReceiveQueue);
        VirtioNetGuest.WaitUsed(_guest.Rx, 1);
        Assert.That(_guest.Rx.UsedElement(0).Length, Is.EqualTo((uint)(H.Size + 60)), "the frame that waited comes first");
        Assert.That(_guest.Memory.GetSpan(Buffers + H.Size, 60).ToArray(), Is.EqualTo(first));

        _guest.Rx.AddChain(1, (Buffers + 0x1000, 1526, true));
        _guest.Kick(H.ReceiveQueue);
        VirtioNetGuest.WaitUsed(_guest.Rx, 2);
        Assert.That(_guest.Rx.UsedElement(1).Length, Is.EqualTo((uint)(H.Size + 70)));
        Assert.That(_guest.Device.Stats.RxDropped, Is.Zero);
        Assert.That(_guest.NeedsReset, Is.False);
    }

    [Test]
    public void Receive_BufferSmallerThanTheFrame_ReturnsItEmptyAndCountsADrop()
    {
        _guest.Rx.AddChain(0, (Buffers, 64, true));
        _guest.Backend.Enqueue([.. new byte[H.Size], .. Frame(1000, seed: 6)]);

        VirtioNetGuest.WaitUsed(_guest.Rx, 1);

        Assert.That(_guest.Rx.UsedElement(0), Is.EqualTo((0u, 0u)));
        Assert.That(_guest.Device.Stats.RxDropped, Is.EqualTo(1));
        Assert.That(_guest.NeedsReset, Is.False);
    }

    [Test]
    public void SetLink_Down_ClearsTheStatusInterruptsAndDropsFrames()
    {
        byte generation = _guest.ConfigGeneration();
        _guest.Device.SetLink(false);

        Assert.That(BitConverter.ToUInt16(_guest.DeviceConfig(H.ConfigSize), H.ConfigStatusOffset), Is.Zero);
        Assert.That(_guest.ConfigGeneration(), Is.Not.EqualTo(generation));
        _guest.Memory.Write(Buffers, new byte[H.Size + 60]);
        _guest.Tx.AddChain(0, (Buffers, H.Size + 60, false));
        _guest.Kick(H.TransmitQueue);
        VirtioNetGuest.WaitUsed(_guest.Tx, 1);
        Assert.That(_guest.Backend.Written, Is.Empty);
        Assert.That(_guest.Device.Stats.TxDropped, Is.EqualTo(1));

        _guest.Device.SetLink(true);
        Assert.That(BitConverter.ToUInt16(_guest.DeviceConfig(H.ConfigSize), H.ConfigStatusOffset), Is.EqualTo(H.StatusLinkUp));
    }

    [Test]
    public void Backend_ReadFails_LinkGoesDownWithAConfigurationChange()
    {
        byte generation = _guest.ConfigGeneration();
        _guest.Backend.ReadError = -5; // EIO: the tap is gone
        _guest.Backend.Enqueue(new byte[H.Size + 60]);

        Assert.That(SpinWait.SpinUntil(() => !_guest.Device.LinkUp, 10_000), Is.True);
        Assert.That(BitConverter.ToUInt16(_guest.DeviceConfig(H.ConfigSize), H.ConfigStatusOffset), Is.Zero);
        Assert.That(_guest.ConfigGeneration(), Is.Not.EqualTo(generation));
        Assert.That(_guest.NeedsReset, Is.False, "the device itself is fine");
    }

    [TestCase(true, TestName = "TransmitChain_WithAWritableBuffer_NeedsReset")]
    [TestCase(false, TestName = "TransmitChain_ShorterThanTheHeader_NeedsReset")]
    public void TransmitChain_Hostile_NeedsResetWithoutReachingTheBackend(bool writable)
    {
        _guest.Tx.AddChain(0, writable ? [(Buffers, 100, false), (Buffers + 0x100, 100, true)] : [(Buffers, H.Size - 4, false)]);
        _guest.Kick(H.TransmitQueue);

        Assert.That(SpinWait.SpinUntil(() => _guest.NeedsReset, 10_000), Is.True);
        Assert.That(_guest.Backend.Written, Is.Empty);
    }

    [Test]
    public void TransmitChain_OutsideRam_NeedsReset()
    {
        _guest.Tx.AddChain(0, (0x1_0000_0000, 100, false));
        _guest.Kick(H.TransmitQueue);

        Assert.That(SpinWait.SpinUntil(() => _guest.NeedsReset, 10_000), Is.True);
        Assert.That(_guest.Backend.Written, Is.Empty);
    }

    [TestCase(true, TestName = "ReceiveChain_WithAReadableBuffer_NeedsReset")]
    [TestCase(false, TestName = "ReceiveChain_ShorterThanTheHeader_NeedsReset")]
    public void ReceiveChain_Hostile_NeedsResetAndLaterFramesAreLeftAlone(bool readable)
    {
        _guest.Rx.AddChain(0, readable ? [(Buffers, 100, false), (Buffers + 0x100, 1500, true)] : [(Buffers, 8, true)]);
        _guest.Backend.Enqueue([.. new byte[H.Size], .. Frame(60, seed: 7)]);

        Assert.That(SpinWait.SpinUntil(() => _guest.NeedsReset, 10_000), Is.True);
        Assert.That(_guest.Rx.UsedIdx, Is.Zero);
        Assert.That(_guest.Memory.GetSpan(Buffers + 0x100, 16).ToArray(), Is.All.Zero);
    }

    [Test]
    public void BrokenDevice_AfterADriverReset_ServesAgain()
    {
        _guest.Tx.AddChain(0, (Buffers, 4, false));
        _guest.Kick(H.TransmitQueue);
        Assert.That(SpinWait.SpinUntil(() => _guest.NeedsReset, 10_000), Is.True);

        _guest.Restart();
        Assert.That(_guest.NeedsReset, Is.False);
        _guest.Memory.Write(Buffers, new byte[H.Size + 60]);
        _guest.Tx.AddChain(0, (Buffers, H.Size + 60, false));
        _guest.Kick(H.TransmitQueue);
        VirtioNetGuest.WaitUsed(_guest.Tx, 1);
        Assert.That(_guest.Backend.Written.Count, Is.EqualTo(1));
    }

    private static byte[] Frame(int length, int seed)
    {
        var frame = new byte[length];
        new Random(seed).NextBytes(frame);
        return frame;
    }
}
