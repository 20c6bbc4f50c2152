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
/// Hostile requests against virtio-blk on real guest memory and a real image: random types, sectors, lengths, buffer
/// directions and placements (including buffers at the end of RAM and over the rings). Every request completes with a
/// status or breaks the queue into DEVICE_NEEDS_RESET; the device thread never dies, the image never grows, and a
/// reset always brings the device back.
/// </summary>
public sealed class VirtioBlockFuzzTests
{
    private const ulong Bar = 0xc000_0000;
    private const ulong Ring = 0x10000;
    private const ulong RamSize = 1 << 20;
    private const ushort QueueSize = 16;

    [TestCase(20261206)]
    [TestCase(7)]
    public void RandomRequests_AlwaysCompleteOrBreakTheQueue_NeverTheDevice(int seed)
    {
        string image = Path.Combine(Path.GetTempPath(), $"vblk-fuzz-{Guid.NewGuid():N}.raw");
        File.WriteAllBytes(image, new byte[256 * 1024]);
        using var memory = GuestMemory.Allocate([(0, RamSize)]);
        var mmio = new MmioBus();
        using var backend = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Raw, DiscardUnmap = true });
        using var transport = new VirtioPciTransport(new VirtioBlock(backend, new VirtioBlockConfig { Serial = "fuzz", QueueSize = QueueSize }), memory, mmio, vm: null);
        transport.Place(Bar);
        var random = new Random(seed);
        int completed = 0, broken = 0;
        try
        {
            var driver = Start(memory, mmio);
            for (int round = 0; round < 5000; round++)
            {
                ushort used = driver.UsedIdx;
                var header = new byte[16];
                uint[] types = [0, 1, 4, 8, 11, 13, (uint)random.Next()];
                BinaryPrimitives.WriteUInt32LittleEndian(header, types[random.Next(types.Length)]);
                BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), random.Next(4) == 0 ? (ulong)random.NextInt64() : (ulong)random.Next(600));
                memory.Write(0x20000, header);
                var buffers = new List<(ulong, uint, bool)> { (0x20000, (uint)random.Next(0, 40), random.Next(8) == 0) };
                int count = random.Next(0, 5);
                for (int i = 0; i < count; i++)
                {
                    ulong address = random.Next(10) == 0 ? RamSize - (ulong)random.Next(0, 4096) : 0x30000 + ((ulong)random.Next(0, 0xb0) << 12);
                    uint length = random.Next(3) == 0 ? (uint)random.Next(1, 70000) : (uint)(512 * random.Next(1, 9));
                    buffers.Add((address, length, random.Next(2) == 0));
                }

                if (random.Next(6) != 0)
                {
                    buffers.Add((0x21000, 1, true));
                }

                driver.AddChain((ushort)random.Next(0, QueueSize - 6), [.. buffers]);
                mmio.Write(Bar + VirtioPciLayout.NotifyOffset, [0, 0]);
                bool done = SpinWait.SpinUntil(() => driver.UsedIdx != used || (transport.Status & VirtioStatus.DeviceNeedsReset) != 0, 10_000);
                Assert.That(done, Is.True, $"round {round}: the device neither completed the request nor failed");
                if ((transport.Status & VirtioStatus.DeviceNeedsReset) != 0)
                {
                    broken++;
                    driver = Start(memory, mmio);
                }
                else
                {
                    completed++;
                }
            }
        }
        finally
        {
            File.Delete(image);
        }

        TestContext.Out.WriteLine($"seed {seed}: {completed} completed, {broken} broke the queue");
        Assert.That(completed, Is.GreaterThan(1000));
        Assert.That(broken, Is.GreaterThan(0));
        Assert.That(backend.Size, Is.EqualTo(256UL * 1024), "the image never grows");
    }

    private static SplitRingDriver Start(GuestMemory memory, MmioBus mmio)
    {
        void Write(int offset, params byte[] value) => mmio.Write(Bar + (ulong)offset, value);
        void Write32(int offset, uint value) => Write(offset, BitConverter.GetBytes(value));
        Write(VirtioPciLayout.DeviceStatus, 0);
        Write(VirtioPciLayout.DeviceStatus, 3);
        Write32(VirtioPciLayout.DriverFeatureSelect, 0);
        Write32(VirtioPciLayout.DriverFeature, (1 << 13) | (1 << 14) | (1 << 28));
        Write32(VirtioPciLayout.DriverFeatureSelect, 1);
        Write32(VirtioPciLayout.DriverFeature, 1);
        Write(VirtioPciLayout.DeviceStatus, 11);
        memory.GetSpan(Ring, 0x1000).Clear();
        Write(VirtioPciLayout.QueueSelect, BitConverter.GetBytes((ushort)0));
        Write32(VirtioPciLayout.QueueDesc, (uint)Ring);
        Write32(VirtioPciLayout.QueueDesc + 4, 0);
        Write32(VirtioPciLayout.QueueDriver, (uint)Ring + 0x400);
        Write32(VirtioPciLayout.QueueDriver + 4, 0);
        Write32(VirtioPciLayout.QueueDevice, (uint)Ring + 0x800);
        Write32(VirtioPciLayout.QueueDevice + 4, 0);
        Write(VirtioPciLayout.QueueEnable, BitConverter.GetBytes((ushort)1));
        Write(VirtioPciLayout.DeviceStatus, 15);
        return new SplitRingDriver(memory, QueueSize, Ring, Ring + 0x400, Ring + 0x800);
    }
}
