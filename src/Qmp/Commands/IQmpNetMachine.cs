namespace Kvm.Qmp.Commands;

/// <summary>
/// A machine with NICs. set_link and query-rx-filter ask the <see cref="IQmpMachine"/> for this interface; a machine without it has no
/// NICs and set_link finds none.
/// </summary>
public interface IQmpNetMachine
{
    /// <summary>
    /// set_link: sets the link of the NIC <paramref name="name"/> (its id, libvirt's alias net0, or its netdev's id
    /// hostnet0) up or down; false when there is no such NIC.
    /// </summary>
    bool SetLink(string name, bool up);

    /// <summary>query-rx-filter: every NIC's receive filter, named by the NIC's id.</summary>
    IReadOnlyList<QmpRxFilterInfo> QueryRxFilter();

    /// <summary>Whether <paramref name="name"/> is one of the machine's netdevs (a NIC's backend, hostnet0).</summary>
    bool IsNetdev(string name);
}
