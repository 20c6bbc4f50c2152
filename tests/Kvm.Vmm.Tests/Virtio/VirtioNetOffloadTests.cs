using Kvm.Vmm.Net;
using NUnit.Framework;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// virtio-net's checksum and segmentation offloads: offered over a backend that can carry them, the backend told what
/// the guest's driver accepted, and headers passed as they are once negotiated (plain frames otherwise).
/// </summary>
public sealed class VirtioNetOffloadTests
{
    private const ulong Buffers = VirtioNetGuest.Buffers;
    private const ulong AllOffloads = H.FeatureCsum | H.FeatureGuestCsum | H.FeatureHostTso4 | H.FeatureHostTso6 | H.FeatureGuestTso4 | H.FeatureGuestTso6;
    private const ulong Basic = H.FeatureMac | H.FeatureStatus;

    [Test]
    public void Features_BackendWithOffloads_OffersChecksumsAndTsoBothWays()
    {
        using var guest = new VirtioNetGuest();

        Assert.That(guest.Transport.DeviceFeatures & AllOffloads, Is.EqualTo(AllOffloads));
    }

    [TestCase(Basic | H.FeatureCsum | H.FeatureGuestCsum | H.FeatureGuestTso4, NetOffloads.Checksum | NetOffloads.Tso4)]
    [TestCase(Basic | AllOffloads, NetOffloads.Checksum | NetOffloads.Tso4 | NetOffloads.Tso6)]
    [TestCase(Basic | H.FeatureGuestTso4, NetOffloads.None)] // segmentation without checksums is not valid (5.1.3.1)
    [TestCase(Basic, NetOffloads.None)]
    public void Activate_AcceptedGuestOffloads_AreTheBackendsOffloads(ulong accepted, NetOffloads expected)
    {
        using var guest = new VirtioNetGuest(driverFeatures: accepted);

        Assert.That(guest.Backend.Offloads, Is.EqualTo(expected));
    }

    [Test]
    public void Transmit_WithCsumNegotiated_PassesTheGuestsHeader()
    {
        using var guest = new VirtioNetGuest(driverFeatures: Basic | AllOffloads);
        byte[] header = [1, 1, 54, 0, 0xa8, 0x05, 34, 0, 16, 0, 9, 9]; // NEEDS_CSUM, TCPV4, hdr_len, gso_size, csum_start/offset
        guest.Memory.Write(Buffers, [.. header, .. new byte[100]]);

        guest.Tx.AddChain(0, (Buffers, H.Size + 100, false));
        guest.Kick(H.TransmitQueue);
        VirtioNetGuest.WaitUsed(guest.Tx, 1);

        Assert.That(guest.Backend.Written.TryDequeue(out var sent), Is.True);
        Assert.That(sent![..H.Size], Is.EqualTo(header[..H.OffloadFieldsSize].Concat(new byte[2]).ToArray()), "num_buffers is not the host's");
    }

    [Test]
    public void Receive_WithGuestCsumNegotiated_KeepsTheBackendsHeader()
    {
        using var guest = new VirtioNetGuest(driverFeatures: Basic | AllOffloads);
        byte[] header = [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // DATA_VALID
        guest.Rx.AddChain(0, (Buffers, 2048, true));
        guest.Backend.Enqueue([.. header, .. new byte[60]]);

        VirtioNetGuest.WaitUsed(guest.Rx, 1);

        Assert.That(guest.Memory.GetSpan(Buffers, H.Size).ToArray(), Is.EqualTo(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }));
    }

    [Test]
    public void Receive_WithoutGuestCsum_ClearsTheBackendsHeader()
    {
        using var guest = new VirtioNetGuest(driverFeatures: Basic);
        guest.Rx.AddChain(0, (Buffers, 2048, true));
        guest.Backend.Enqueue([.. Enumerable.Repeat((byte)0xff, H.Size), .. new byte[60]]);

        VirtioNetGuest.WaitUsed(guest.Rx, 1);

        Assert.That(guest.Memory.GetSpan(Buffers, H.Size).ToArray(), Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }));
    }

    [Test]
    public void Reset_AfterOffloadsWereOn_TurnsThemOff()
    {
        using var guest = new VirtioNetGuest(driverFeatures: Basic | AllOffloads);

        guest.Device.Reset();

        Assert.That(guest.Backend.Offloads, Is.EqualTo(NetOffloads.None));
    }
}
