using Kvm.Driver.Snapshots;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.DomainSnapshot for every path below /org/libvirt/QEMU/domainsnapshot, over the driver core's
/// <see cref="SnapshotManager"/>: each call first finds the domain and the snapshot from the path, then acts.
/// The interface has no properties.
/// </summary>
internal sealed class DomainSnapshotObject : ILibvirtObject
{
    private readonly SnapshotManager _snapshots;
    private readonly CancellationToken _stopping;

    public DomainSnapshotObject(SnapshotManager snapshots, CancellationToken stopping)
    {
        _snapshots = snapshots;
        _stopping = stopping;
    }

    public LibvirtInterface Interface => LibvirtInterface.DomainSnapshot;

    public VariantValue GetProperty(string path, string name) =>
        throw new ArgumentException($"No property {name} in {Interface.Name}", nameof(name));

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path) => [];

    public void SetProperty(string path, string name, ref Reader value) =>
        throw new InvalidOperationException($"{Interface.Name} has no writable property {name}");

    public async ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        (Guid domain, string name) = Resolve(call.Path);
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("Delete", "u"):
                _snapshots.Delete(domain, name, args.ReadUInt32());
                Replies.Empty(context);
                break;
            case ("GetParent", "u"):
                Replies.ObjectPath(context, LibvirtPaths.DomainSnapshot(domain, _snapshots.GetParent(domain, name, args.ReadUInt32()).Name));
                break;
            case ("GetXMLDesc", "u"):
                Replies.String(context, _snapshots.GetXmlDesc(domain, name, args.ReadUInt32()));
                break;
            case ("IsCurrent", "u"):
                Replies.Boolean(context, _snapshots.IsCurrent(domain, name, args.ReadUInt32()));
                break;
            case ("ListChildren", "u"):
                Replies.ObjectPaths(context, _snapshots.ListChildren(domain, name, args.ReadUInt32())
                    .Select(s => LibvirtPaths.DomainSnapshot(domain, s.Name)));
                break;
            case ("Revert", "u"):
                await _snapshots.RevertAsync(domain, name, args.ReadUInt32(), _stopping).ConfigureAwait(false);
                Replies.Empty(context);
                break;
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
    }

    /// <summary>The snapshot nodes below the subtree root, for Introspect.</summary>
    public IEnumerable<string> Children(string path) =>
        path == LibvirtPaths.DomainSnapshotRoot
            ? _snapshots.ListEverything().Select(s => LibvirtPaths.DomainSnapshot(s.Domain, s.Name)[(LibvirtPaths.DomainSnapshotRoot.Length + 1)..]).ToArray()
            : [];

    /// <summary>The path's domain and snapshot, which must both exist (the domain's error first, as libvirt-dbus looks it up first).</summary>
    private (Guid Domain, string Name) Resolve(string path)
    {
        if (!LibvirtPaths.TryDecodeDomainSnapshot(path, out Guid domain, out string name))
        {
            throw LibvirtErrors.InvalidUuid();
        }
        _snapshots.Lookup(domain, name, 0);
        return (domain, name);
    }
}
