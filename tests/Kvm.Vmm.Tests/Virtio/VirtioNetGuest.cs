using System.Buffers.Binary;
using Kvm.Vmm.Bus;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Net;
using Kvm.Vmm.Devices.Virtio.Pci;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// A virtio-net device behind the modern virtio-pci transport on real guest memory with a fake backend, and a driver
/// that negotiates MAC, STATUS and MTU and sets up both queues as Linux's virtio_net does (no KVM: the doorbells are
/// MMIO writes).
/// </summary>
internal sealed class VirtioNetGuest : IDisposable
{
    public const ulong Bar = 0xc000_0000;
    public const ulong Buffers = 0x20000;
    private const ulong RxRing = 0x10000;
    private const ulong TxRing = 0x14000;
    private const ulong MoreRings = 0x18000; // queue 2, 3, ... (the control queue, further pairs): 0x1000 each, up to 0x20000
    private const ushort QueueSize = 16;

    private readonly MmioBus _mmio = new();
    private readonly uint _driverFeatures;
    private readonly Dictionary<int, SplitRingDriver> _more = [];

    /// <param name="driverFeatures">The device features the driver accepts when offered (MAC, STATUS and MTU by default).</param>
    /// <param name="pairs">The device's queue pairs (each with its own fake backend; at most 3 here).</param>
    public VirtioNetGuest(VirtioNetConfig? config = null, ulong driverFeatures = VirtioNetHeader.FeatureMac | VirtioNetHeader.FeatureStatus | VirtioNetHeader.FeatureMtu, int pairs = 1)
    {
        _driverFeatures = (uint)driverFeatures;
        Memory = GuestMemory.Allocate([(0, 1 << 20)]);
        Backend = new FakeNetBackend();
        Backends = [Backend, .. Enumerable.Range(1, pairs - 1).Select(_ => new FakeNetBackend())];
        Device = new VirtioNet(Backends, (config ?? new VirtioNetConfig { Mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56] }) with { QueueSize = QueueSize, QueuePairs = pairs }, null);
        Transport = new VirtioPciTransport(Device, Memory, _mmio, vm: null);
        Transport.Place(Bar);
        Start();
    }

    public GuestMemory Memory { get; }

    public FakeNetBackend Backend { get; }

    /// <summary>Each pair's backend, pair 0's (<see cref="Backend"/>) first.</summary>
    public IReadOnlyList<FakeNetBackend> Backends { get; }

    /// <summary>The control queue's ring, when the driver accepted VIRTIO_NET_F_CTRL_VQ.</summary>
    public SplitRingDriver? Ctrl { get; private set; }

    /// <summary>Queue <paramref name="index"/>'s ring (receiveqN 2N, transmitqN 2N+1, the control queue last).</summary>
    public SplitRingDriver Ring(int index) => index switch
    {
        0 => Rx,
        1 => Tx,
        _ => _more[index],
    };

    /// <summary>The control queue's index as the driver sees it: 2 x pairs with MQ, else 2.</summary>
    public int CtrlIndex { get; private set; }

    public VirtioNet Device { get; }

    public VirtioPciTransport Transport { get; }

    public SplitRingDriver Rx { get; private set; } = null!;

    public SplitRingDriver Tx { get; private set; } = null!;

    public bool NeedsReset => (Transport.Status & VirtioStatus.DeviceNeedsReset) != 0;

    public void Kick(int queue) => _mmio.Write(Bar + VirtioPciLayout.NotifyOffset + (4UL * (uint)queue), BitConverter.GetBytes((ushort)queue));

    public byte[] DeviceConfig(int length)
    {
        var data = new byte[length];
        _mmio.Read(Bar + VirtioPciLayout.DeviceOffset, data);
        return data;
    }

    public byte ConfigGeneration()
    {
        var data = new byte[1];
        _mmio.Read(Bar + VirtioPciLayout.ConfigGeneration, data);
        return data[0];
    }

    /// <summary>Waits until the ring's used idx reaches <paramref name="idx"/>.</summary>
    public static void WaitUsed(SplitRingDriver ring, ushort idx) =>
        Assert.That(SpinWait.SpinUntil(() => ring.UsedIdx == idx, 10_000), Is.True, $"used idx stayed at {ring.UsedIdx}, expected {idx}");

    public void Dispose()
    {
        Transport.Dispose();
        foreach (var backend in Backends)
        {
            backend.Dispose();
        }

        Memory.Dispose();
    }

    /// <summary>Resets the device (status 0) and sets it up again, as a driver does after DEVICE_NEEDS_RESET.</summary>
    public void Restart() => Start();

    private void Start()
    {
        Common8(VirtioPciLayout.DeviceStatus, 0);
        Common8(VirtioPciLayout.DeviceStatus, (byte)(VirtioStatus.Acknowledge | VirtioStatus.Driver));
        Common32(VirtioPciLayout.DeviceFeatureSelect, 0);
        var offered = new byte[4];
        _mmio.Read(Bar + VirtioPciLayout.DeviceFeature, offered);
        Common32(VirtioPciLayout.DriverFeatureSelect, 0);
        Common32(VirtioPciLayout.DriverFeature, BinaryPrimitives.ReadUInt32LittleEndian(offered) & _driverFeatures);
        Common32(VirtioPciLayout.DriverFeatureSelect, 1);
        Common32(VirtioPciLayout.DriverFeature, 1);
        var status = VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk;
        Common8(VirtioPciLayout.DeviceStatus, (byte)status);
        Memory.GetSpan(RxRing, 0x10000).Clear();
        ulong accepted = BinaryPrimitives.ReadUInt32LittleEndian(offered) & _driverFeatures;
        bool mq = (accepted & VirtioNetHeader.FeatureMq) != 0;
        CtrlIndex = mq ? 2 * Device.QueuePairs : 2;
        int dataQueues = mq ? 2 * Device.QueuePairs : 2;
        var queues = new List<(int Queue, ulong Ring)> { (0, RxRing), (1, TxRing) };
        queues.AddRange(Enumerable.Range(2, dataQueues - 2).Select(q => (q, MoreRings + (0x1000UL * (ulong)(q - 2)))));
        if ((accepted & VirtioNetHeader.FeatureCtrlVq) != 0)
        {
            queues.Add((CtrlIndex, MoreRings + (0x1000UL * (ulong)(CtrlIndex - 2))));
        }

        foreach (var (queue, ring) in queues)
        {
            Common16(VirtioPciLayout.QueueSelect, (ushort)queue);
            Common16(VirtioPciLayout.QueueSize, QueueSize);
            Common16(VirtioPciLayout.QueueMsixVector, (ushort)(queue + 1));
            Common32(VirtioPciLayout.QueueDesc, (uint)ring);
            Common32(VirtioPciLayout.QueueDriver, (uint)(ring + 0x400));
            Common32(VirtioPciLayout.QueueDevice, (uint)(ring + 0x800));
            Common16(VirtioPciLayout.QueueEnable, 1);
        }

        Common8(VirtioPciLayout.DeviceStatus, (byte)(status | VirtioStatus.DriverOk));
        Rx = new SplitRingDriver(Memory, QueueSize, RxRing, RxRing + 0x400, RxRing + 0x800);
        Tx = new SplitRingDriver(Memory, QueueSize, TxRing, TxRing + 0x400, TxRing + 0x800);
        _more.Clear();
        foreach (var (queue, ring) in queues.Skip(2))
        {
            _more[queue] = new SplitRingDriver(Memory, QueueSize, ring, ring + 0x400, ring + 0x800);
        }

        Ctrl = _more.GetValueOrDefault(CtrlIndex);
        if (!queues.Any(q => q.Queue == CtrlIndex))
        {
            Ctrl = null;
        }
    }

    private void Common8(int offset, byte value) => _mmio.Write(Bar + (ulong)offset, [value]);

    private void Common16(int offset, ushort value) => _mmio.Write(Bar + (ulong)offset, BitConverter.GetBytes(value));

    private void Common32(int offset, uint value) => _mmio.Write(Bar + (ulong)offset, BitConverter.GetBytes(value));
}
