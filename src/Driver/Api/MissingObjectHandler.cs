using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// Everything under /org/libvirt that no object serves: GDBus answers Introspect with the children there are (none
/// for a path that does not exist) and every other call with "Object does not exist at path “…”".
/// </summary>
internal static class MissingObjectHandler
{
    public static void HandleMethod(MethodContext context, LibvirtCall call)
    {
        if (call.Interface is null or "org.freedesktop.DBus.Introspectable" && call.Member == "Introspect" && call.Signature.Length == 0)
        {
            // The only node between the root and the objects: /org/libvirt holds the Connect object's node.
            string[] children = call.Path == LibvirtPaths.Root ? [LibvirtPaths.Connect[(LibvirtPaths.Root.Length + 1)..]] : [];
            Replies.String(context, GDBusIntrospection.Build(null, children));
        }
        else
        {
            Replies.Error(context, GDBusErrors.ObjectDoesNotExist(call.Path));
        }
    }
}
