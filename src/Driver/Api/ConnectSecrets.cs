using Kvm.Driver.Secrets;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>org.libvirt.Connect's secret listing, definition and lookup methods, over the driver core's secrets.</summary>
internal static class ConnectSecrets
{
    /// <summary>Answers the call when it is one of these methods; false otherwise.</summary>
    public static bool TryCall(SecretManager secrets, MethodContext context, LibvirtCall call, ref Reader args)
    {
        switch ((call.Member, call.Signature))
        {
            case ("ListSecrets", "u"):
                Replies.ObjectPaths(context, secrets.List(args.ReadUInt32()).Select(s => LibvirtPaths.Secret(s.Uuid)));
                return true;
            case ("SecretDefineXML", "su"):
            {
                string xml = args.ReadString();
                Replies.ObjectPath(context, LibvirtPaths.Secret(secrets.Define(xml, args.ReadUInt32()).Uuid));
                return true;
            }
            case ("SecretLookupByUUID", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Secret(secrets.LookupByUuid(
                    LibvirtUuid.TryParse(args.ReadString(), out Guid uuid) ? uuid : throw LibvirtErrors.InvalidUuid()).Uuid));
                return true;
            case ("SecretLookupByUsage", "is"):
            {
                int usageType = args.ReadInt32();
                Replies.ObjectPath(context, LibvirtPaths.Secret(secrets.LookupByUsage(usageType, args.ReadString()).Uuid));
                return true;
            }
            default:
                return false;
        }
    }
}
