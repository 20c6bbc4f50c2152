using Kvm.Driver.Domains;
using Kvm.Driver.NetInterfaces;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.Connect's host interface listing and lookups (over <see cref="UdevInterfaces"/>), and its network
/// filter listing and lookups: kvmd has no network filters, so the list is empty and every lookup finds nothing.
/// Defining either answers libvirt's "not supported".
/// </summary>
internal static class ConnectInterfaces
{
    private const VirErrorCode NoNWFilter = (VirErrorCode)62; // VIR_ERR_NO_NWFILTER

    /// <summary>Answers the call when it is one of these methods; false otherwise.</summary>
    public static bool TryCall(UdevInterfaces interfaces, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("ListInterfaces", "u"):
                Replies.ObjectPaths(context, interfaces.List(args.ReadUInt32()).Select(i => LibvirtPaths.Interface(i.Mac)));
                return true;
            case ("InterfaceLookupByName", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Interface(interfaces.LookupByName(args.ReadString()).Mac));
                return true;
            case ("InterfaceLookupByMAC", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Interface(interfaces.LookupByMac(args.ReadString()).Mac));
                return true;
            case ("ListNWFilters", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "nwfilterConnectListAllNWFilters");
                Replies.ObjectPaths(context, []);
                return true;
            case ("NWFilterLookupByName", "s"):
                throw new DomainOperationException(NoNWFilter, $"Network filter not found: no nwfilter with matching name '{args.ReadString()}'");
            case ("NWFilterLookupByUUID", "s"):
            {
                string text = args.ReadString();
                Guid uuid = LibvirtUuid.TryParse(text, out Guid parsed) ? parsed : throw LibvirtErrors.InvalidUuid();
                throw new DomainOperationException(NoNWFilter, $"Network filter not found: no nwfilter with matching uuid '{LibvirtUuid.Format(uuid)}'");
            }
            default:
                return false;
        }
    }
}
