using Kvm.Driver.Api;

namespace Kvm.Kvmctl;

/// <summary>
/// Where kvmctl finds kvmd: the bus (from <c>--connect</c>, else <c>KVMCTL_BUS</c>, else the system bus for root and
/// the session bus for anyone else, as virsh's default URI) and the org.libvirt Connect object on it.
/// </summary>
internal sealed record BusTarget(bool IsSystem, string Address, string ConnectPath)
{
    public const string DefaultConnectPath = "/org/libvirt/QEMU";
    public const string BusVariable = "KVMCTL_BUS";
    public const string ObjectPathVariable = "KVMCTL_OBJECT_PATH";

    /// <summary>Resolves the target; a bad name or a missing session bus throws <see cref="VirshErrorException"/>.</summary>
    public static BusTarget Resolve(string? connect, string? objectPath)
    {
        string? choice = connect ?? NullIfEmpty(Environment.GetEnvironmentVariable(BusVariable));
        bool system = choice is null ? Environment.IsPrivilegedProcess : ParseBus(choice);
        string path = objectPath ?? NullIfEmpty(Environment.GetEnvironmentVariable(ObjectPathVariable)) ?? DefaultConnectPath;
        string? address = system ? BusAddress.System : BusAddress.Session;
        if (address is null)
        {
            throw new VirshErrorException("failed to connect to the hypervisor", "no session bus: DBUS_SESSION_BUS_ADDRESS is not set");
        }
        return new BusTarget(system, address, path);
    }

    /// <summary>session / system, or the libvirt URIs that name them (qemu:///session, qemu:///system).</summary>
    public static bool ParseBus(string value) => value switch
    {
        "session" or "qemu:///session" => false,
        "system" or "qemu:///system" => true,
        _ => throw new VirshErrorException("failed to connect to the hypervisor",
            $"unsupported connection '{value}': use session, system, qemu:///session or qemu:///system"),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
