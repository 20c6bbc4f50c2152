namespace Kvm.Driver.Api;

/// <summary>
/// The filter pairs of libvirt's ListAll flags (active/inactive, persistent/transient, autostart/no-autostart; the same
/// bits for networks and storage pools): a pair keeps what it names, neither or both keep all.
/// </summary>
public static class LibvirtListFlags
{
    public const uint Inactive = 1, Active = 2, Persistent = 4, Transient = 8, Autostart = 16, NoAutostart = 32;

    public const uint StatePairs = Inactive | Active | Persistent | Transient | Autostart | NoAutostart;

    /// <summary>Whether an object of this state, persistence and autostart passes the three pairs.</summary>
    public static bool Keeps(uint flags, bool active, bool persistent, bool autostart) =>
        Pick(flags, Active, Inactive, active) && Pick(flags, Persistent, Transient, persistent) && Pick(flags, Autostart, NoAutostart, autostart);

    private static bool Pick(uint flags, uint yes, uint no, bool value)
    {
        uint set = flags & (yes | no);
        return set == 0 || set == (yes | no) || (value ? set == yes : set == no);
    }
}
