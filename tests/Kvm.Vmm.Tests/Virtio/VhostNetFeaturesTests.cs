using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Net;
using NUnit.Framework;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// The feature split between virtio-net and vhost-net: the kernel's bits only where it has them, the device's own
/// (MAC, status, MTU, offloads) untouched, only kernel bits to VHOST_SET_FEATURES, and the tap's header size.
/// </summary>
public sealed class VhostNetFeaturesTests
{
    /// <summary>What vhost-net's VHOST_GET_FEATURES gives on Linux 6.1: VHOST_FEATURES, VHOST_NET_F_VIRTIO_NET_HDR, MRG_RXBUF, ACCESS_PLATFORM.</summary>
    private const ulong Linux61 = (1UL << 24) | (1UL << 28) | (1UL << 29) | (1UL << 26) | (1UL << 27) | (1UL << 32)
        | (1UL << 15) | (1UL << 33);

    private const ulong DeviceOwn = H.FeatureMac | H.FeatureStatus | H.FeatureMtu | H.FeatureCsum | H.FeatureGuestCsum
        | H.FeatureHostTso4 | H.FeatureGuestTso4 | H.FeatureHostTso6 | H.FeatureGuestTso6;

    [Test]
    public void Offer_KernelWithMergeableBuffers_AddsMrgRxbufAndKeepsTheDevicesOwn()
    {
        Assert.That(VhostNetFeatures.Offer(DeviceOwn, Linux61), Is.EqualTo(DeviceOwn | H.FeatureMrgRxbuf));
    }

    [Test]
    public void Offer_KernelWithoutMergeableBuffers_LeavesItOut()
    {
        Assert.That(VhostNetFeatures.Offer(DeviceOwn, Linux61 & ~H.FeatureMrgRxbuf), Is.EqualTo(DeviceOwn));
    }

    [Test]
    public void Offer_KernelBitsTheDeviceDoesNotOffer_AreNotAdded()
    {
        // vhost's VHOST_NET_F_VIRTIO_NET_HDR / ANY_LAYOUT (27), NOTIFY_ON_EMPTY and ACCESS_PLATFORM are not the guest's to see.
        ulong offered = VhostNetFeatures.Offer(H.FeatureMac, Linux61);

        Assert.That(offered, Is.EqualTo(H.FeatureMac | H.FeatureMrgRxbuf));
    }

    [Test]
    public void ForKernel_AcceptedFeatures_KeepsOnlyWhatVhostImplements()
    {
        ulong accepted = DeviceOwn | H.FeatureMrgRxbuf | VirtioFeature.Transport;

        Assert.That(VhostNetFeatures.ForKernel(accepted), Is.EqualTo(H.FeatureMrgRxbuf | VirtioFeature.Transport));
        Assert.That(VhostNetFeatures.ForKernel(accepted) & ~Linux61, Is.Zero, "every bit sent is one the kernel offers");
    }

    [TestCase(VirtioFeature.Version1, 12)]
    [TestCase(H.FeatureMrgRxbuf, 12)]
    [TestCase(VirtioFeature.Version1 | H.FeatureMrgRxbuf, 12)]
    [TestCase(H.FeatureCsum | VirtioFeature.RingEventIdx, 10)]
    [TestCase(0UL, 10)]
    public void HeaderSize_AcceptedFeatures_MatchesVhostNetsChoice(ulong accepted, int size)
    {
        Assert.That(VhostNetFeatures.HeaderSize(accepted), Is.EqualTo(size));
    }

    [Test]
    public void Unusable_KernelWithTheTransportsFeatures_IsNull()
    {
        Assert.That(VhostNetFeatures.Unusable(Linux61), Is.Null);
    }

    [TestCase(VirtioFeature.Version1, "0x100000000")]
    [TestCase(VirtioFeature.RingEventIdx, "0x20000000")]
    [TestCase(VirtioFeature.RingIndirectDesc, "0x10000000")]
    public void Unusable_KernelLackingATransportFeature_SaysWhich(ulong missing, string hex)
    {
        Assert.That(VhostNetFeatures.Unusable(Linux61 & ~missing), Does.Contain($"lacks features {hex}"));
    }
}
