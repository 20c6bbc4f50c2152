using Kvm.Driver.NetInterfaces;
using Kvm.Driver.NodeDevices;
using Kvm.Driver.Secrets;

namespace Kvm.Driver.Api;

/// <summary>
/// The driver core's host-side objects that kvmd serves beside domains and pools: secrets (org.libvirt.Secret), the
/// host's devices (NodeDevice), its network interfaces (Interface, with the empty NWFilter list beside them) and the
/// domains' snapshots (DomainSnapshot, and the Domain methods that reach them); the virtual networks and storage pools
/// for the RPC front end (the D-Bus front end is given them on their own, see KvmdApiService.StartAsync).
/// Each one left null is not served (its Connect methods answer libvirt's "not supported").
/// </summary>
public sealed record HostObjects(SecretManager? Secrets = null, NodeDeviceService? NodeDevices = null, UdevInterfaces? Interfaces = null,
    Snapshots.SnapshotManager? Snapshots = null, Networks.NetworkManager? Networks = null,
    Pools.StoragePoolManager? Pools = null)
{
    /// <summary>What kvmd serves: the state directory's secrets and snapshots, and this host's devices and interfaces.</summary>
    public static HostObjects ForHost(SecretManager secrets, Snapshots.SnapshotManager? snapshots = null) =>
        new(secrets, new NodeDeviceService(new SysfsNodeDevices()), new UdevInterfaces(), snapshots);
}
