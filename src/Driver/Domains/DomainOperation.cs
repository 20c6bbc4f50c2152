namespace Kvm.Driver.Domains;

/// <summary>The state-gated operations of the domain service (what <see cref="DomainStateMachine"/> decides on).</summary>
public enum DomainOperation
{
    Start,
    Shutdown,
    Destroy,
    Reboot,
    Reset,
    Suspend,
    Resume,
    Undefine,
    Rename,
    SetAutostart,
    GetVcpus,

    /// <summary>Asking a running domain's VMM about its disks, or resizing one (block stats, disk errors, BlockResize).</summary>
    Block,

    /// <summary>CreateXML of a definition whose name and uuid match an existing domain.</summary>
    CreateOver,

    /// <summary>virDomainGetControlInfo: the state of a running domain's monitor.</summary>
    GetControlInfo,

    /// <summary>virDomainInterfaceStats / virDomainInterfaceAddresses: the host side of a running domain's interfaces.</summary>
    Interfaces,

    /// <summary>virDomainMemoryStats, a live virDomainSetMemory, virDomainSetMemoryStatsPeriod: a running domain's balloon.</summary>
    Memory,

    /// <summary>virDomainOpenConsole: a running domain's serial console.</summary>
    OpenConsole,
}
