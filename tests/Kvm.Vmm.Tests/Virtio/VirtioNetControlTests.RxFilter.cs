using NUnit.Framework;
using C = Kvm.Vmm.Devices.Virtio.Net.VirtioNetCtrl;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// The receive filter query-rx-filter reports, as the control queue leaves it: QEMU's reset state before a driver and
/// after a reset, the modes, MAC tables and VLAN ids the driver set (last first, as QEMU lists them), and QEMU's
/// 64-entry table overflowing instead of growing.
/// </summary>
public sealed partial class VirtioNetControlTests
{
    [Test]
    public void RxFilter_DriverSetsModesTablesAndVlans_ReportsThemAsQemu()
    {
        using var guest = Guest();

        Assert.That(Send(guest, [C.ClassRx, C.RxPromisc, 0]), Is.EqualTo(C.Ok));
        Assert.That(Send(guest, [C.ClassRx, C.RxAllMulti, 1]), Is.EqualTo(C.Ok));
        Assert.That(Send(guest, [C.ClassMac, C.MacTableSet, .. Table(1), .. Table(2)]), Is.EqualTo(C.Ok));
        Assert.That(Send(guest, [C.ClassVlan, C.VlanAdd, 5, 0]), Is.EqualTo(C.Ok));
        Assert.That(Send(guest, [C.ClassVlan, C.VlanAdd, 100, 0]), Is.EqualTo(C.Ok));
        var filter = guest.Device.RxFilter();

        Assert.That((filter.Name, filter.MainMac, filter.Promiscuous, filter.AllMulticast), Is.EqualTo(("net0", "52:54:00:ab:cd:ef", false, true)));
        Assert.That(filter.UnicastTable, Is.EqualTo(new[] { "01:00:00:00:00:00" }));
        Assert.That(filter.MulticastTable, Is.EqualTo(new[] { "01:00:00:00:00:01", "01:00:00:00:00:00" }), "last first");
        Assert.That((filter.VlanNegotiated, filter.VlanTable), Is.EqualTo((true, new[] { 100, 5 })));
        Assert.That((filter.UnicastOverflow, filter.MulticastOverflow), Is.EqualTo((false, false)));
    }

    [TestCase(65, 0, true, false)]
    [TestCase(64, 1, false, true)]
    [TestCase(60, 4, false, false)]
    public void RxFilter_TablesBeyondQemusSixtyFour_Overflow(int unicast, int multicast, bool unicastOverflow, bool multicastOverflow)
    {
        using var guest = Guest();

        Assert.That(Send(guest, [C.ClassMac, C.MacTableSet, .. Table(unicast), .. Table(multicast)]), Is.EqualTo(C.Ok));
        var filter = guest.Device.RxFilter();

        Assert.That((filter.UnicastOverflow, filter.MulticastOverflow), Is.EqualTo((unicastOverflow, multicastOverflow)));
        Assert.That(filter.UnicastTable, Has.Count.EqualTo(unicastOverflow ? 0 : unicast));
        Assert.That(filter.MulticastTable, Has.Count.EqualTo(multicastOverflow ? 0 : multicast));
    }

    [Test]
    public void RxFilter_AfterReset_IsQemusResetState()
    {
        using var guest = Guest();
        Assert.That(Send(guest, [C.ClassRx, C.RxPromisc, 0]), Is.EqualTo(C.Ok));
        Assert.That(Send(guest, [C.ClassMac, C.MacTableSet, .. Table(1), .. Table(0)]), Is.EqualTo(C.Ok));

        guest.Restart();
        var filter = guest.Device.RxFilter();

        Assert.That((filter.Promiscuous, filter.UnicastTable.Count, filter.VlanNegotiated), Is.EqualTo((true, 0, true)));
        Assert.That(filter.VlanTable, Is.Empty, "a driver that takes VLAN filtering starts with no VLAN passed");
    }

    [Test]
    public void RxFilter_DriverWithoutVlanFiltering_PassesEveryVlan()
    {
        using var guest = new VirtioNetGuest(new Kvm.Vmm.Devices.Virtio.Net.VirtioNetConfig { Mac = s_mac }, DriverFeatures & ~H.FeatureMq & ~H.FeatureCtrlVlan);

        var filter = guest.Device.RxFilter();

        Assert.That(filter.VlanNegotiated, Is.False);
        Assert.That(filter.VlanTable, Has.Count.EqualTo(4096));
        Assert.That((filter.VlanTable[0], filter.VlanTable[^1]), Is.EqualTo((4095, 0)), "last first, as QEMU lists them");
    }
}
