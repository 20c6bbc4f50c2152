using Kvm.Driver.Snapshots;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>org.libvirt.Domain's snapshot methods (SnapshotCreateXML, ListDomainSnapshots, lookups), over the driver core's snapshots.</summary>
internal static class DomainSnapshotCalls
{
    /// <summary>Answers the call when it is one of these methods; false otherwise.</summary>
    public static bool TryCall(SnapshotManager snapshots, Guid domain, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("SnapshotCreateXML", "su"):
            {
                string xml = args.ReadString();
                Replies.ObjectPath(context, LibvirtPaths.DomainSnapshot(domain, snapshots.Create(domain, xml, args.ReadUInt32()).Name));
                return true;
            }
            case ("ListDomainSnapshots", "u"):
                Replies.ObjectPaths(context, snapshots.List(domain, args.ReadUInt32()).Select(s => LibvirtPaths.DomainSnapshot(domain, s.Name)));
                return true;
            case ("SnapshotLookupByName", "su"):
            {
                string name = args.ReadString();
                Replies.ObjectPath(context, LibvirtPaths.DomainSnapshot(domain, snapshots.Lookup(domain, name, args.ReadUInt32()).Name));
                return true;
            }
            case ("SnapshotCurrent", "u"):
                Replies.ObjectPath(context, LibvirtPaths.DomainSnapshot(domain, snapshots.Current(domain, args.ReadUInt32()).Name));
                return true;
            default:
                return false;
        }
    }
}
