namespace Kvm.Driver.Domains;

/// <summary>virDomainInterfaceAddressesSource.</summary>
public enum InterfaceAddressSource : uint
{
    /// <summary>The DHCP leases of the libvirt network the interface is on.</summary>
    Lease = 0,

    /// <summary>A guest agent inside the domain.</summary>
    Agent = 1,

    /// <summary>The host's ARP table, by the interface's MAC.</summary>
    Arp = 2,
}
