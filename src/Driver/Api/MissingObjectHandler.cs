using Kvm.DBus.Protocol;
using Kvm.DBus.Service;

namespace Kvm.Driver.Api;

/// <summary>
/// Everything under /org/libvirt that no object serves: GDBus answers Introspect with the children there are (none
/// for a path that does not exist) and every other call with "Object does not exist at path “…”".
/// </summary>
internal sealed class MissingObjectHandler : IMethodHandler
{
    public string Path => LibvirtPaths.Root;

    public bool HandlesChildPaths => true;

    public IEnumerable<string> GetChildNames(string path) => [];

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        Message call = context.Request;
        if (call.Interface is null or "org.freedesktop.DBus.Introspectable" && call.Member == "Introspect" && call.Signature.Length == 0)
        {
            LibvirtObjectHandler.ReplyString(context, GDBusIntrospection.Build(null, context.Connection.GetChildNames(call.Path!)));
        }
        else
        {
            (string name, string message) = GDBusErrors.ObjectDoesNotExist(call.Path!);
            context.ReplyError(name, message);
        }
        return ValueTask.CompletedTask;
    }
}
