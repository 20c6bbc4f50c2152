using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// Puts <see cref="HostObjects"/> on the bus: the subtree handlers for the object tree, the node names below the
/// Connect path, Connect's methods for them and their signals. Dispose to stop the signals.
/// </summary>
internal sealed class HostObjectTree : IAsyncDisposable
{
    private readonly HostObjects _objects;
    private readonly SecretEventEmitter? _secretEvents;

    public HostObjectTree(HostObjects objects, DBusConnection connection, CancellationToken stopping = default)
    {
        _objects = objects;
        var subtrees = new List<LibvirtObjectHandler>();
        var children = new List<string>();
        if (objects.Secrets is not null)
        {
            var secret = new SecretObject(objects.Secrets);
            subtrees.Add(new LibvirtObjectHandler(LibvirtPaths.SecretRoot, subtree: true, secret, secret.Children));
            children.Add("secret");
            _secretEvents = new SecretEventEmitter(objects.Secrets, connection);
        }
        if (objects.NodeDevices is not null)
        {
            var device = new NodeDeviceObject(objects.NodeDevices);
            subtrees.Add(new LibvirtObjectHandler(LibvirtPaths.NodeDeviceRoot, subtree: true, device, device.Children));
            children.Add("nodedev");
        }
        if (objects.Interfaces is not null)
        {
            var netInterface = new InterfaceObject(objects.Interfaces);
            subtrees.Add(new LibvirtObjectHandler(LibvirtPaths.InterfaceRoot, subtree: true, netInterface, netInterface.Children));
            children.Add("interface");
        }
        if (objects.Snapshots is not null)
        {
            var snapshot = new DomainSnapshotObject(objects.Snapshots, stopping);
            subtrees.Add(new LibvirtObjectHandler(LibvirtPaths.DomainSnapshotRoot, subtree: true, snapshot, snapshot.Children));
            children.Add("domainsnapshot");
        }
        Subtrees = subtrees;
        ConnectChildren = children;
    }

    public IReadOnlyList<LibvirtObjectHandler> Subtrees { get; }

    /// <summary>The node names these objects add below /org/libvirt/QEMU.</summary>
    public IReadOnlyList<string> ConnectChildren { get; }

    /// <summary>Answers a Connect call that belongs to one of these objects; false otherwise.</summary>
    public bool TryCall(MethodContext context, LibvirtCall call, ref Reader args) =>
        (_objects.Secrets is not null && ConnectSecrets.TryCall(_objects.Secrets, context, call, ref args))
        || (_objects.NodeDevices is not null && ConnectNodeDevices.TryCall(_objects.NodeDevices, context, call, ref args))
        || (_objects.Interfaces is not null && ConnectInterfaces.TryCall(_objects.Interfaces, context, call, ref args));

    public async ValueTask DisposeAsync()
    {
        if (_secretEvents is not null)
        {
            await _secretEvents.DisposeAsync().ConfigureAwait(false);
        }
    }
}
