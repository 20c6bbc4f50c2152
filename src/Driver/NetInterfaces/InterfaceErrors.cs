using Kvm.Driver.Domains;

namespace Kvm.Driver.NetInterfaces;

/// <summary>libvirt's udev interface backend messages (interface_backend_udev.c), each returning the exception.</summary>
internal static class InterfaceErrors
{
    public const VirErrorCode NoInterface = (VirErrorCode)57;         // VIR_ERR_NO_INTERFACE
    public const VirErrorCode MultipleInterfaces = (VirErrorCode)59;  // VIR_ERR_MULTIPLE_INTERFACES

    public static DomainOperationException NoInterfaceByName(string name) =>
        new(NoInterface, $"Interface not found: couldn't find interface named '{name}'");

    public static DomainOperationException NoInterfaceByMac(string mac) =>
        new(NoInterface, $"Interface not found: couldn't find interface with MAC address '{mac}'");

    public static DomainOperationException SeveralByMac(string mac) =>
        new(MultipleInterfaces, $"multiple matching interfaces found: the MAC '{mac}' matches multiple interfaces");
}
