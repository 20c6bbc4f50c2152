using System.Buffers.Binary;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Vsock;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using Kvm.Vmm.Vhost;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// virtio-vsock's device model without the kernel: its identity, configuration space and features, and that rings a
/// hostile driver placed outside RAM fail the device (DEVICE_NEEDS_RESET) before vhost sees them. The "vhost device"
/// here is /dev/null, which answers every ioctl with ENOTTY; the real /dev/vhost-vsock is exercised by
/// VirtioVsockBootTests in the nested-KVM harness.
/// </summary>
public sealed class VirtioVsockDeviceTests
{
    private const ulong KernelFeatures = VirtioFeature.Version1 | VirtioFeature.RingEventIdx | VirtioFeature.RingIndirectDesc
        | VirtioVsockConfig.FeatureSeqPacket | (1UL << 33); // VIRTIO_F_ACCESS_PLATFORM, which kvm-vmm does not offer

    private VhostVsock _vhost = null!;
    private VirtioVsock _device = null!;

    [SetUp]
    public void SetUp()
    {
        var handle = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
        _vhost = VhostVsock.FromDevice(VhostDevice.FromHandle(handle, "/dev/null", KernelFeatures), 0x1_2345);
        _device = new VirtioVsock(_vhost);
    }

    [TearDown]
    public void TearDown()
    {
        _device.Dispose();
        _vhost.Dispose();
    }

    [Test]
    public void Identity_IsTheSocketDeviceWithRxTxAndEventQueues()
    {
        Assert.That((_device.DeviceType, _device.QueueCount, _device.ConfigSize, _device.Name), Is.EqualTo(((ushort)19, 3, 8, "vsock0")));
    }

    [Test]
    public void Features_AreTheKernelsVsockFeaturesOnly()
    {
        Assert.That(_device.Features, Is.EqualTo(VirtioVsockConfig.FeatureSeqPacket));
    }

    [Test]
    public void ReadConfig_WholeGuestCid_IsLittleEndian64Bit()
    {
        Span<byte> config = stackalloc byte[8];
        _device.ReadConfig(0, config);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(config), Is.EqualTo(0x1_2345UL));
    }

    [TestCase(0, 4, 0x0001_2345u)]
    [TestCase(4, 4, 0u)]
    [TestCase(0, 1, 0x45u)]
    [TestCase(2, 2, 0x0001u)]
    public void ReadConfig_PartOfTheCid_ReturnsThoseBytes(int offset, int length, uint expected)
    {
        Span<byte> data = stackalloc byte[4];
        _device.ReadConfig(offset, data[..length]);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(data), Is.EqualTo(expected));
    }

    [TestCase(6, 4)]
    [TestCase(8, 1)]
    [TestCase(int.MaxValue, 4)]
    [TestCase(-1, 2)]
    public void ReadConfig_OutsideTheStructure_LeavesTheBufferAndDoesNotThrow(int offset, int length)
    {
        byte[] data = new byte[length];
        data.AsSpan().Fill(0xaa);
        _device.ReadConfig(offset, data);
        Assert.That(data, Is.All.EqualTo(0xaa));
    }

    [Test]
    public void WriteConfig_IsIgnored()
    {
        _device.WriteConfig(0, [1, 2, 3, 4, 5, 6, 7, 8]);
        Span<byte> config = stackalloc byte[8];
        _device.ReadConfig(0, config);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(config), Is.EqualTo(0x1_2345UL));
    }

    [Test]
    public void Activate_RingOutsideRam_FailsTheDevice()
    {
        using var memory = GuestMemory.Allocate([(0, 1 << 20)]);
        var rx = ActiveQueue(memory, 0x1000);
        var tx = ActiveQueue(memory, 0x8000);
        tx.UsedRing = 0x4000_0000; // beyond the 1 MiB of RAM: the register a hostile driver would write
        var interrupt = new RecordingInterrupt();
        EventFd[] kicks = [EventFd.Create(), EventFd.Create(), EventFd.Create()];
        try
        {
            _device.Activate(new VirtioActivation(memory, VirtioFeature.Version1, [rx, tx, null], kicks, interrupt));
            Assert.That(interrupt.Failed, Is.True);
            Assert.That(() => _device.Reset(), Throws.Nothing);
        }
        finally
        {
            Array.ForEach(kicks, k => k.Dispose());
        }
    }

    [Test]
    public void Activate_KernelRefusesTheRings_FailsTheDeviceAndStaysResettable()
    {
        using var memory = GuestMemory.Allocate([(0, 1 << 20)]);
        var interrupt = new RecordingInterrupt();
        EventFd[] kicks = [EventFd.Create(), EventFd.Create(), EventFd.Create()];
        try
        {
            // Valid rings, but /dev/null refuses VHOST_SET_FEATURES: the device fails, the VMM goes on.
            _device.Activate(new VirtioActivation(memory, VirtioFeature.Version1, [ActiveQueue(memory, 0x1000), ActiveQueue(memory, 0x8000), null], kicks, interrupt));
            Assert.That(interrupt.Failed, Is.True);
            Assert.That(() => _device.Reset(), Throws.Nothing);
        }
        finally
        {
            Array.ForEach(kicks, k => k.Dispose());
        }
    }

    [Test]
    public void Activate_FeaturesTheKernelLacks_FailsTheDevice()
    {
        using var memory = GuestMemory.Allocate([(0, 1 << 20)]);
        var interrupt = new RecordingInterrupt();
        EventFd[] kicks = [EventFd.Create(), EventFd.Create(), EventFd.Create()];
        try
        {
            _device.Activate(new VirtioActivation(memory, VirtioFeature.Version1 | (1UL << 40), [ActiveQueue(memory, 0x1000), ActiveQueue(memory, 0x8000), null], kicks, interrupt));
            Assert.That(interrupt.Failed, Is.True);
        }
        finally
        {
            Array.ForEach(kicks, k => k.Dispose());
        }
    }

    private static Virtqueue ActiveQueue(GuestMemory memory, ulong at)
    {
        var queue = new Virtqueue(128) { Size = 128, DescriptorTable = at, AvailableRing = at + 0x800, UsedRing = at + 0x1000 };
        Assert.That(queue.TryActivate(memory, eventIdx: false, indirect: false, out string? error), Is.True, error);
        return queue;
    }

    private sealed class RecordingInterrupt : IVirtioInterrupt
    {
        public bool Failed { get; private set; }

        public void NotifyQueue(int queue)
        {
        }

        public void NotifyConfigChange()
        {
        }

        public void Fail() => Failed = true;
    }
}
