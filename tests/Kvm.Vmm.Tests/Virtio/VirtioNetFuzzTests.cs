using NUnit.Framework;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// Hostile chains against virtio-net on real guest memory: random buffer counts, lengths, directions and placements
/// (including past the end of RAM, and device-readable ones over the rings) on both queues, with frames of random lengths from the backend.
/// Every chain is used or breaks the device into DEVICE_NEEDS_RESET (with MRG_RXBUF a frame may also be dropped,
/// its chains kept, when those available are too short for it); the device thread never dies and a reset always
/// brings the device back.
/// </summary>
public sealed class VirtioNetFuzzTests
{
    private const ulong RamSize = 1 << 20;

    [TestCase(20261207, false)]
    [TestCase(11, false)]
    [TestCase(20261208, true)]
    public void RandomChains_AreUsedOrBreakTheDevice_NeverTheVmm(int seed, bool mergeable)
    {
        using var guest = new VirtioNetGuest(driverFeatures: H.FeatureMac | H.FeatureStatus | (mergeable ? H.FeatureMrgRxbuf : 0));
        var random = new Random(seed);
        int used = 0, broken = 0;
        for (int round = 0; round < 3000; round++)
        {
            bool transmit = random.Next(2) == 0;
            var ring = transmit ? guest.Tx : guest.Rx;
            ushort before = ring.UsedIdx;
            long dropped = guest.Device.Stats.RxDropped;
            long waits = guest.Device.Stats.RxWaits;
            var buffers = new List<(ulong, uint, bool)>();
            int count = random.Next(1, 5);
            for (int i = 0; i < count; i++)
            {
                bool writable = random.Next(5) == 0 ? !(i == 0 && !transmit) : !transmit;

                // Device-readable buffers may lie over the rings; writable ones do not (a driver that lets the device
                // overwrite its own rings desynchronises this test's driver from them, which proves nothing).
                ulong address = random.Next(12) == 0 ? RamSize - (ulong)random.Next(0, 4096)
                    : !writable && random.Next(20) == 0 ? 0x10000 : 0x30000 + ((ulong)random.Next(0, 0xb0) << 12);
                uint length = random.Next(4) == 0 ? (uint)random.Next(0, 80000) : (uint)random.Next(1, 2048);
                buffers.Add((address, length, writable));
            }

            ring.AddChain((ushort)random.Next(0, 16 - 5), [.. buffers]);
            if (transmit)
            {
                guest.Kick(H.TransmitQueue);
            }
            else
            {
                // As a driver does after adding receive buffers: a frame waiting for them is tried again on the kick.
                var frame = new byte[random.Next(H.Size, 3000)];
                random.NextBytes(frame);
                guest.Backend.Enqueue(frame);
                guest.Kick(H.ReceiveQueue);
            }

            // A round ends with the chain used, the device broken, or a frame waiting for more buffers (or, with
            // mergeable buffers, dropped as larger than a whole ring of them).
            bool done = SpinWait.SpinUntil(() => ring.UsedIdx != before || guest.NeedsReset || guest.Device.Stats.RxWaits != waits
                || (mergeable && guest.Device.Stats.RxDropped != dropped), 10_000);
            Assert.That(done, Is.True, $"round {round}: the device neither used the chain nor failed");
            if (guest.NeedsReset)
            {
                broken++;
                guest.Restart();
                Assert.That(guest.NeedsReset, Is.False, $"round {round}: a reset did not bring the device back");
            }
            else
            {
                used++;
            }
        }

        Assert.That(used, Is.GreaterThan(100), "chains the device used");
        Assert.That(broken, Is.GreaterThan(100), "chains that broke the device");
        Assert.That(guest.Device.ThreadFailures, Is.Zero, "exceptions on the device's thread (a bug, not the guest's doing)");
    }
}
