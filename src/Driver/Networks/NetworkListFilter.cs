namespace Kvm.Driver.Networks;

/// <summary>
/// virConnectListAllNetworks's flags (virConnectListAllNetworksFlags): each pair keeps what it names, neither or both
/// keep all. Both front ends list through this one filter.
/// </summary>
public static class NetworkListFilter
{
    public const uint Inactive = 1, Active = 2, Persistent = 4, Transient = 8, Autostart = 16, NoAutostart = 32;

    private const uint All = Inactive | Active | Persistent | Transient | Autostart | NoAutostart;

    /// <summary>The networks the flags keep, in the table's order (by name); unknown flags fail as networkConnectListAllNetworks.</summary>
    public static IReadOnlyList<NetworkSnapshot> List(NetworkManager networks, uint flags)
    {
        Api.LibvirtErrors.CheckFlags(flags, All, "networkConnectListAllNetworks");
        return networks.List().Where(n => Pick(flags, Active, Inactive, n.Active) && Pick(flags, Persistent, Transient, n.Persistent)
            && Pick(flags, Autostart, NoAutostart, n.Autostart)).ToArray();
    }

    private static bool Pick(uint flags, uint yes, uint no, bool value)
    {
        uint set = flags & (yes | no);
        return set == 0 || set == (yes | no) || (value ? set == yes : set == no);
    }
}
