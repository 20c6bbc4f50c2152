using System.Buffers.Binary;
using Kvm.Vmm.Block;
using Kvm.Vmm.Bus;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Devices.Virtio.Pci;
using Kvm.Vmm.Memory;
using Kvm.Vmm.Pci;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// virtio-blk behind the modern virtio-pci transport, driven the way Linux's virtio_pci_modern and virtio_blk drivers
/// drive it: capabilities found through configuration space, features negotiated through the common configuration,
/// queue set up, requests made available and the doorbell written on the BAR, on real guest memory and a real image
/// file. (Without KVM the doorbell write reaches the transport as an MMIO write, and MSI-X messages go pending.)
/// </summary>
public sealed class VirtioBlockDeviceTests
{
    private const ulong Bar = 0xc000_0000;
    private const ulong Ring = 0x10000;
    private const ulong Buffers = 0x20000;

    private string _image = null!;
    private GuestMemory _memory = null!;
    private MmioBus _mmio = null!;
    private IBlockBackend _backend = null!;
    private VirtioPciTransport _transport = null!;
    private SplitRingDriver _ring = null!;
    private FakeInterruptLine _intx = null!;

    [SetUp]
    public void SetUp()
    {
        _image = Path.Combine(Path.GetTempPath(), $"vblk-{Guid.NewGuid():N}.raw");
        var content = new byte[1 << 20];
        new Random(7).NextBytes(content);
        File.WriteAllBytes(_image, content);
        _memory = GuestMemory.Allocate([(0, 1 << 20)]);
        _mmio = new MmioBus();
        _backend = BlockBackends.Open(new BlockOpenOptions { Path = _image, Format = ImageFormat.Raw, DiscardUnmap = true });
        _intx = new FakeInterruptLine();
        _transport = new VirtioPciTransport(new VirtioBlock(_backend, new VirtioBlockConfig { Serial = "serial-0123456789-abcdef", QueueSize = 16 }),
            _memory, _mmio, vm: null) { Intx = _intx };
        _transport.Place(Bar);
    }

    [TearDown]
    public void TearDown()
    {
        _transport.Dispose();
        _intx.Dispose();
        _backend.Dispose();
        _memory.Dispose();
        File.Delete(_image);
    }

    [Test]
    public void ConfigSpace_IdentifiesAModernVirtioBlockWithItsCapabilities()
    {
        Assert.That(Config16(PciConfigSpace.VendorId), Is.EqualTo(0x1af4));
        Assert.That(Config16(PciConfigSpace.DeviceId), Is.EqualTo(0x1042));
        Assert.That(Config16(PciConfigSpace.Status) & PciConfigSpace.StatusCapabilityList, Is.Not.Zero);
        var types = new List<string>();
        for (int at = Config8(PciConfigSpace.CapabilitiesPointer); at != 0; at = Config8(at + 1))
        {
            types.Add(Config8(at) == 0x09 ? $"virtio{Config8(at + 3)}@bar{Config8(at + 4)}" : $"cap{Config8(at):x2}");
        }

        Assert.That(types, Is.EqualTo(new[] { "virtio1@bar4", "virtio3@bar4", "virtio4@bar4", "virtio2@bar4", "cap11" }));
    }

    [Test]
    public void Bar_SizingAndMovingFollowTheGuest()
    {
        // Linux sizes a BAR with decoding off: write all ones, read the mask back, restore.
        WriteConfig32(PciConfigSpace.Command, 0);
        Assert.That(_mmio.Ranges, Is.Empty, "decoding off takes the BAR off the bus");
        WriteConfig32(PciConfigSpace.Bar0 + 16, uint.MaxValue);
        WriteConfig32(PciConfigSpace.Bar0 + 20, uint.MaxValue);
        ulong mask = ReadConfig32(PciConfigSpace.Bar0 + 16) | ((ulong)ReadConfig32(PciConfigSpace.Bar0 + 20) << 32);
        Assert.That(~(mask & ~0xfUL) + 1, Is.EqualTo(VirtioPciLayout.BarSize));
        Assert.That(mask & 0xf, Is.EqualTo(0xc), "64-bit prefetchable memory");

        WriteConfig32(PciConfigSpace.Bar0 + 16, 0xd000_0000);
        WriteConfig32(PciConfigSpace.Bar0 + 20, 0);
        WriteConfig32(PciConfigSpace.Command, PciConfigSpace.CommandMemory);
        Assert.That(_mmio.Ranges.Select(r => r.Base), Is.EqualTo(new[] { 0xd000_0000UL }));
    }

    [Test]
    public void FeaturesOk_WithoutVersion1_IsRefused()
    {
        Common8(VirtioPciLayout.DeviceStatus, (byte)(VirtioStatus.Acknowledge | VirtioStatus.Driver));
        Common32(VirtioPciLayout.DriverFeatureSelect, 0);
        Common32(VirtioPciLayout.DriverFeature, 1 << 9);
        Common8(VirtioPciLayout.DeviceStatus, (byte)(VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk));
        Assert.That(ReadCommon8(VirtioPciLayout.DeviceStatus) & (byte)VirtioStatus.FeaturesOk, Is.Zero);
    }

    [Test]
    public void ReadWriteFlushGetId_ThroughTheQueue_ReachTheImage()
    {
        StartDriver();
        // OUT: 2 sectors at sector 8.
        var pattern = new byte[1024];
        new Random(3).NextBytes(pattern);
        _memory.Write(Buffers + 0x1000, pattern);
        Assert.That(Request(VirtioBlockRequest.Out, 8, (Buffers + 0x1000, 1024, false)), Is.EqualTo(0));
        Assert.That(File.ReadAllBytes(_image).AsSpan(8 * 512, 1024).ToArray(), Is.EqualTo(pattern));

        // IN across two buffers, then FLUSH and GET_ID.
        Assert.That(Request(VirtioBlockRequest.In, 8, (Buffers + 0x3000, 512, true), (Buffers + 0x4000, 512, true)), Is.EqualTo(0));
        Assert.That(_memory.GetSpan(Buffers + 0x3000, 512).ToArray().Concat(_memory.GetSpan(Buffers + 0x4000, 512).ToArray()), Is.EqualTo(pattern));
        Assert.That(Request(VirtioBlockRequest.Flush, 0), Is.EqualTo(0));
        Assert.That(Request(VirtioBlockRequest.GetId, 0, (Buffers + 0x5000, 20, true)), Is.EqualTo(0));
        Assert.That(System.Text.Encoding.ASCII.GetString(_memory.GetSpan(Buffers + 0x5000, 20)), Is.EqualTo("serial-0123456789-ab"));
    }

    [Test]
    public void Requests_PastTheEndOrUnknown_FailWithTheirStatusAndTheDeviceGoesOn()
    {
        StartDriver();
        Assert.That(Request(VirtioBlockRequest.In, 2047, (Buffers + 0x1000, 1024, true)), Is.EqualTo(VirtioBlockRequest.StatusIoError));
        Assert.That(Request(VirtioBlockRequest.In, ulong.MaxValue, (Buffers + 0x1000, 512, true)), Is.EqualTo(VirtioBlockRequest.StatusIoError));
        Assert.That(Request(VirtioBlockRequest.Out, 0, (Buffers + 0x1000, 100, false)), Is.EqualTo(VirtioBlockRequest.StatusIoError));
        Assert.That(Request(99, 0), Is.EqualTo(VirtioBlockRequest.StatusUnsupported));
        Assert.That(Request(VirtioBlockRequest.In, 0, (Buffers + 0x1000, 512, true)), Is.EqualTo(0));
        Assert.That(_transport.Status & VirtioStatus.DeviceNeedsReset, Is.EqualTo(VirtioStatus.None));
    }

    [Test]
    public void BrokenRing_SetsNeedsReset_AndAResetRecovers()
    {
        StartDriver();
        _ring.SetAvailIdx(100); // more chains than the queue holds
        Kick();
        Assert.That(SpinWait.SpinUntil(() => (_transport.Status & VirtioStatus.DeviceNeedsReset) != 0, 10_000), Is.True);

        Common8(VirtioPciLayout.DeviceStatus, 0);
        Assert.That(ReadCommon8(VirtioPciLayout.DeviceStatus), Is.Zero);
        StartDriver();
        Assert.That(Request(VirtioBlockRequest.In, 0, (Buffers + 0x1000, 512, true)), Is.EqualTo(0));
    }

    [Test]
    public void Discard_PunchesTheRangeToZeroes()
    {
        StartDriver();
        var segment = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(segment, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(8), 8);
        _memory.Write(Buffers + 0x1000, segment);
        Assert.That(Request(VirtioBlockRequest.Discard, 0, (Buffers + 0x1000, 16, false)), Is.EqualTo(0));
        Assert.That(File.ReadAllBytes(_image).AsSpan(16 * 512, 8 * 512).ToArray(), Is.All.EqualTo(0));
    }

    [Test]
    public void WithoutMsix_ACompletionAssertsIntx_AndReadingTheIsrDropsIt()
    {
        Assert.That(Config8(PciConfigSpace.InterruptPin), Is.EqualTo(1), "INTA");
        StartDriver();
        Assert.That(Request(VirtioBlockRequest.In, 0, (Buffers + 0x1000, 512, true)), Is.EqualTo(0));
        Assert.That(_intx.WaitRaised(TimeSpan.FromSeconds(10)), Is.True, "INTx raised for the used buffer");
        Assert.That(_intx.Asserted, Is.True);
        Assert.That(ReadIsr(), Is.EqualTo(1), "ISR: queue interrupt");
        Assert.That(_intx.Asserted, Is.False, "reading the ISR drops the line");
        Assert.That(ReadIsr(), Is.Zero);

        // With INTx disabled in the command register the line stays low; enabling it again raises the pending ISR.
        WriteConfig32(PciConfigSpace.Command, PciConfigSpace.CommandMemory | PciConfigSpace.CommandIntxDisable);
        Assert.That(Request(VirtioBlockRequest.In, 0, (Buffers + 0x1000, 512, true)), Is.EqualTo(0));
        Assert.That(_intx.Asserted, Is.False);
        WriteConfig32(PciConfigSpace.Command, PciConfigSpace.CommandMemory);
        Assert.That(_intx.Asserted, Is.True);
        Assert.That(ReadIsr(), Is.EqualTo(1));
        Assert.That(_intx.Asserted, Is.False);
        Assert.That(_intx.RedundantSets, Is.Zero, "only level changes reach the interrupt controller");
    }

    [Test]
    public void WithMsixEnabled_IntxStaysLow()
    {
        StartDriver();
        int control = MsixCapability() + 2;
        _transport.WriteConfig(control, BitConverter.GetBytes((ushort)0x8000));
        Assert.That(Request(VirtioBlockRequest.In, 0, (Buffers + 0x1000, 512, true)), Is.EqualTo(0));
        Assert.That(_intx.WaitRaised(TimeSpan.FromMilliseconds(200)), Is.False);
        Assert.That(_intx.Asserted, Is.False);
    }

    private int MsixCapability()
    {
        for (int at = Config8(PciConfigSpace.CapabilitiesPointer); at != 0; at = Config8(at + 1))
        {
            if (Config8(at) == 0x11)
            {
                return at;
            }
        }

        Assert.Fail("no MSI-X capability");
        return 0;
    }

    private byte ReadIsr()
    {
        Span<byte> data = stackalloc byte[1];
        _mmio.Read(Bar + VirtioPciLayout.IsrOffset, data);
        return data[0];
    }

    /// <summary>As virtio_pci_modern: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue 0, DRIVER_OK.</summary>
    private void StartDriver()
    {
        Common8(VirtioPciLayout.DeviceStatus, 0);
        Common8(VirtioPciLayout.DeviceStatus, (byte)VirtioStatus.Acknowledge);
        Common8(VirtioPciLayout.DeviceStatus, (byte)(VirtioStatus.Acknowledge | VirtioStatus.Driver));
        Common32(VirtioPciLayout.DeviceFeatureSelect, 1);
        uint high = ReadCommon32(VirtioPciLayout.DeviceFeature);
        Assert.That(high & 1, Is.EqualTo(1), "VIRTIO_F_VERSION_1 offered");
        Common32(VirtioPciLayout.DriverFeatureSelect, 0);
        Common32(VirtioPciLayout.DriverFeature, (1 << 9) | (1 << 13) | (1 << 28));
        Common32(VirtioPciLayout.DriverFeatureSelect, 1);
        Common32(VirtioPciLayout.DriverFeature, 1);
        var status = VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk;
        Common8(VirtioPciLayout.DeviceStatus, (byte)status);
        Assert.That(ReadCommon8(VirtioPciLayout.DeviceStatus), Is.EqualTo((byte)status), "FEATURES_OK accepted");

        _memory.GetSpan(Ring, 0x2000).Clear();
        Common16(VirtioPciLayout.QueueSelect, 0);
        Assert.That(ReadCommon16(VirtioPciLayout.QueueSize), Is.EqualTo(16));
        Common16(VirtioPciLayout.QueueMsixVector, 1);
        Common32(VirtioPciLayout.QueueDesc, (uint)Ring);
        Common32(VirtioPciLayout.QueueDesc + 4, 0);
        Common32(VirtioPciLayout.QueueDriver, (uint)(Ring + 0x400));
        Common32(VirtioPciLayout.QueueDriver + 4, 0);
        Common32(VirtioPciLayout.QueueDevice, (uint)(Ring + 0x800));
        Common32(VirtioPciLayout.QueueDevice + 4, 0);
        Common16(VirtioPciLayout.QueueEnable, 1);
        Common8(VirtioPciLayout.DeviceStatus, (byte)(status | VirtioStatus.DriverOk));
        _ring = new SplitRingDriver(_memory, 16, Ring, Ring + 0x400, Ring + 0x800);
    }

    /// <summary>One request: header, data buffers, status byte; kick; wait for the used ring; the status the device wrote.</summary>
    private byte Request(uint type, ulong sector, params (ulong Address, uint Length, bool Writable)[] data)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, type);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), sector);
        _memory.Write(Buffers, header);
        _memory.Write(Buffers + 0x800, [0xee]);
        ushort used = _ring.UsedIdx;
        _ring.AddChain(0, [(Buffers, 16, false), .. data, (Buffers + 0x800, 1, true)]);
        Kick();
        Assert.That(SpinWait.SpinUntil(() => _ring.UsedIdx != used, 10_000), Is.True, "the device did not complete the request");
        return _memory.GetSpan(Buffers + 0x800, 1)[0];
    }

    private void Kick() => _mmio.Write(Bar + VirtioPciLayout.NotifyOffset, [0, 0]);

    private void Common8(int offset, byte value) => _mmio.Write(Bar + (ulong)offset, [value]);

    private void Common16(int offset, ushort value) => _mmio.Write(Bar + (ulong)offset, BitConverter.GetBytes(value));

    private void Common32(int offset, uint value) => _mmio.Write(Bar + (ulong)offset, BitConverter.GetBytes(value));

    private byte ReadCommon8(int offset)
    {
        Span<byte> data = stackalloc byte[1];
        _mmio.Read(Bar + (ulong)offset, data);
        return data[0];
    }

    private ushort ReadCommon16(int offset)
    {
        Span<byte> data = stackalloc byte[2];
        _mmio.Read(Bar + (ulong)offset, data);
        return BinaryPrimitives.ReadUInt16LittleEndian(data);
    }

    private uint ReadCommon32(int offset)
    {
        Span<byte> data = stackalloc byte[4];
        _mmio.Read(Bar + (ulong)offset, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private int Config8(int offset)
    {
        Span<byte> data = stackalloc byte[1];
        _transport.ReadConfig(offset, data);
        return data[0];
    }

    private int Config16(int offset)
    {
        Span<byte> data = stackalloc byte[2];
        _transport.ReadConfig(offset, data);
        return BinaryPrimitives.ReadUInt16LittleEndian(data);
    }

    private uint ReadConfig32(int offset)
    {
        Span<byte> data = stackalloc byte[4];
        _transport.ReadConfig(offset, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private void WriteConfig32(int offset, uint value) => _transport.WriteConfig(offset, BitConverter.GetBytes(value));
}
