using System.Globalization;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// A virtio-net device's receive filter as QMP query-rx-filter reports it (QEMU 7.2's RxFilterInfo): the modes the
/// driver set (without VIRTIO_NET_F_CTRL_RX_EXTRA, unicast is always 'normal' and broadcast never marked allowed, as
/// QEMU answers), its MAC filter tables and VLAN ids, last first as QEMU lists them. Without VIRTIO_NET_F_CTRL_VLAN
/// the device passes every VLAN, and QEMU lists them all.
/// </summary>
public sealed record VirtioNetRxFilter(
    string Name,
    bool Promiscuous,
    bool AllMulticast,
    bool UnicastOverflow,
    bool MulticastOverflow,
    string MainMac,
    IReadOnlyList<string> UnicastTable,
    IReadOnlyList<string> MulticastTable,
    bool VlanNegotiated,
    IReadOnlyList<int> VlanTable)
{
    /// <summary>Every VLAN id, last first: what QEMU lists for a driver that did not take VLAN filtering.</summary>
    public static IReadOnlyList<int> AllVlans { get; } = [.. Enumerable.Range(0, VirtioNetCtrl.VlanIds).Reverse()];

    /// <summary>
    /// The filter of a device no driver has set up, or one without the control queue: QEMU's reset state (promiscuous,
    /// no tables, every VLAN passed).
    /// </summary>
    public static VirtioNetRxFilter Reset(string name, string mainMac) =>
        new(name, Promiscuous: true, AllMulticast: false, UnicastOverflow: false, MulticastOverflow: false, mainMac, [], [], VlanNegotiated: false, AllVlans);

    internal static string FormatMac(byte[] mac) =>
        string.Create(CultureInfo.InvariantCulture, $"{mac[0]:x2}:{mac[1]:x2}:{mac[2]:x2}:{mac[3]:x2}:{mac[4]:x2}:{mac[5]:x2}");
}
