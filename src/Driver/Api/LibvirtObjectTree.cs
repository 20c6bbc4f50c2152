using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The org.libvirt object tree as one Tmds method handler for /org/libvirt and everything below it, routing by path:
/// the Connect object, the domain and storage subtrees, and GDBus's answers for paths no object serves. One handler because Tmds
/// allows no handler below one that handles child paths, and libvirt-dbus answers for the whole /org/libvirt tree.
/// </summary>
internal sealed class LibvirtObjectTree : IPathMethodHandler
{
    private readonly LibvirtObjectHandler _connect;
    private readonly LibvirtObjectHandler[] _subtrees;

    /// <param name="subtrees">The object subtrees below the Connect path (domains, storage pools, volumes).</param>
    public LibvirtObjectTree(LibvirtObjectHandler connect, params LibvirtObjectHandler[] subtrees)
    {
        _connect = connect;
        _subtrees = subtrees;
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
        foreach (LibvirtObjectHandler subtree in _subtrees)
        {
            if (call.Path.StartsWith(subtree.Path, StringComparison.Ordinal)
                && (call.Path.Length == subtree.Path.Length || call.Path[subtree.Path.Length] == '/'))
            {
                return subtree.HandleMethodAsync(context, call);
            }
        }
        MissingObjectHandler.HandleMethod(context, call);
        return ValueTask.CompletedTask;
    }
}
