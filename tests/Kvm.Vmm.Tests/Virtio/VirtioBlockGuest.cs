using System.Buffers.Binary;
using Kvm.Vmm.Block;
using Kvm.Vmm.Bus;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Devices.Virtio.Pci;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// A virtio-blk device behind the modern virtio-pci transport on real guest memory, and a driver that sets it up as
/// Linux's virtio_pci_modern does and makes one request at a time (no KVM: the doorbell is an MMIO write).
/// </summary>
internal sealed class VirtioBlockGuest : IDisposable
{
    public const ulong Bar = 0xc000_0000;
    private const ulong Ring = 0x10000;
    private const ulong Buffers = 0x20000;

    private readonly MmioBus _mmio = new();
    private SplitRingDriver _ring = null!;

    public VirtioBlockGuest(IBlockBackend backend, VirtioBlockConfig config)
    {
        Memory = GuestMemory.Allocate([(0, 1 << 20)]);
        Device = new VirtioBlock(backend, config with { QueueSize = 16 });
        Transport = new VirtioPciTransport(Device, Memory, _mmio, vm: null);
        Transport.Place(Bar);
        Start();
    }

    public GuestMemory Memory { get; }

    public VirtioBlock Device { get; }

    public VirtioPciTransport Transport { get; }

    /// <summary>Writes <paramref name="data"/> (whole sectors) at <paramref name="sector"/>; the status byte.</summary>
    public byte Write(ulong sector, byte[] data)
    {
        Memory.Write(Buffers + 0x1000, data);
        return Request(VirtioBlockRequest.Out, sector, (Buffers + 0x1000, (uint)data.Length, false));
    }

    public byte Read(ulong sector, uint bytes) => Request(VirtioBlockRequest.In, sector, (Buffers + 0x1000, bytes, true));

    public byte Flush() => Request(VirtioBlockRequest.Flush, 0);

    public byte Discard(ulong sector, uint sectors)
    {
        var segment = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(segment, sector);
        BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(8), sectors);
        Memory.Write(Buffers + 0x1000, segment);
        return Request(VirtioBlockRequest.Discard, 0, (Buffers + 0x1000, 16, false));
    }

    public void Dispose()
    {
        Transport.Dispose();
        Memory.Dispose();
    }

    private byte Request(uint type, ulong sector, params (ulong Address, uint Length, bool Writable)[] data)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, type);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), sector);
        Memory.Write(Buffers, header);
        Memory.Write(Buffers + 0x800, [0xee]);
        ushort used = _ring.UsedIdx;
        _ring.AddChain(0, [(Buffers, 16, false), .. data, (Buffers + 0x800, 1, true)]);
        _mmio.Write(Bar + VirtioPciLayout.NotifyOffset, [0, 0]);
        Assert.That(SpinWait.SpinUntil(() => _ring.UsedIdx != used, 10_000), Is.True, "the device did not complete the request");
        return Memory.GetSpan(Buffers + 0x800, 1)[0];
    }

    private void Start()
    {
        Common8(VirtioPciLayout.DeviceStatus, 0);
        Common8(VirtioPciLayout.DeviceStatus, (byte)(VirtioStatus.Acknowledge | VirtioStatus.Driver));
        Common32(VirtioPciLayout.DriverFeatureSelect, 0);
        Common32(VirtioPciLayout.DriverFeature, (1 << 9) | (1 << 13));
        Common32(VirtioPciLayout.DriverFeatureSelect, 1);
        Common32(VirtioPciLayout.DriverFeature, 1);
        var status = VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk;
        Common8(VirtioPciLayout.DeviceStatus, (byte)status);
        Memory.GetSpan(Ring, 0x2000).Clear();
        Common16(VirtioPciLayout.QueueSelect, 0);
        Common16(VirtioPciLayout.QueueMsixVector, 1);
        Common32(VirtioPciLayout.QueueDesc, (uint)Ring);
        Common32(VirtioPciLayout.QueueDriver, (uint)(Ring + 0x400));
        Common32(VirtioPciLayout.QueueDevice, (uint)(Ring + 0x800));
        Common16(VirtioPciLayout.QueueEnable, 1);
        Common8(VirtioPciLayout.DeviceStatus, (byte)(status | VirtioStatus.DriverOk));
        _ring = new SplitRingDriver(Memory, 16, Ring, Ring + 0x400, Ring + 0x800);
    }

    private void Common8(int offset, byte value) => _mmio.Write(Bar + (ulong)offset, [value]);

    private void Common16(int offset, ushort value) => _mmio.Write(Bar + (ulong)offset, BitConverter.GetBytes(value));

    private void Common32(int offset, uint value) => _mmio.Write(Bar + (ulong)offset, BitConverter.GetBytes(value));
}
