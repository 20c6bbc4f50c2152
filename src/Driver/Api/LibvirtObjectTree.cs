using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The org.libvirt object tree as one Tmds method handler for /org/libvirt and everything below it, routing by path:
/// the Connect object, the domain subtree, and GDBus's answers for paths no object serves. One handler because Tmds
/// allows no handler below one that handles child paths, and libvirt-dbus answers for the whole /org/libvirt tree.
/// </summary>
internal sealed class LibvirtObjectTree : IPathMethodHandler
{
    private readonly LibvirtObjectHandler _connect;
    private readonly LibvirtObjectHandler _domains;

    public LibvirtObjectTree(LibvirtObjectHandler connect, LibvirtObjectHandler domains)
    {
        _connect = connect;
        _domains = domains;
    }

    public string Path => LibvirtPaths.Root;

    public bool HandlesChildPaths => true;

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        LibvirtCall call = LibvirtCall.From(context.Request);
        if (call.Path == _connect.Path)
        {
            return _connect.HandleMethodAsync(context, call);
        }
        if (call.Path.StartsWith(_domains.Path, StringComparison.Ordinal)
            && (call.Path.Length == _domains.Path.Length || call.Path[_domains.Path.Length] == '/'))
        {
            return _domains.HandleMethodAsync(context, call);
        }
        MissingObjectHandler.HandleMethod(context, call);
        return ValueTask.CompletedTask;
    }
}
