using Kvm.Driver.Api;

namespace Kvm.Driver.Networks;

/// <summary>
/// virConnectListAllNetworks's flags (virConnectListAllNetworksFlags: the pairs of <see cref="LibvirtListFlags"/>).
/// Both front ends list through this one filter.
/// </summary>
public static class NetworkListFilter
{
    public const uint Inactive = LibvirtListFlags.Inactive, Active = LibvirtListFlags.Active, Persistent = LibvirtListFlags.Persistent,
        Transient = LibvirtListFlags.Transient, Autostart = LibvirtListFlags.Autostart, NoAutostart = LibvirtListFlags.NoAutostart;

    /// <summary>The networks the flags keep, in the table's order (by name); unknown flags fail as networkConnectListAllNetworks.</summary>
    public static IReadOnlyList<NetworkSnapshot> List(NetworkManager networks, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, LibvirtListFlags.StatePairs, "networkConnectListAllNetworks");
        return networks.List().Where(n => LibvirtListFlags.Keeps(flags, n.Active, n.Persistent, n.Autostart)).ToArray();
    }
}
