using Kvm.DBus.Protocol;
using NLog;

namespace Kvm.DBus.Service;

/// <summary>
/// Routes method calls by object path: an exact handler first, else the handler of the nearest ancestor that
/// serves child paths. Answers org.freedesktop.DBus.Peer on every path, introspection of paths that only have
/// children, UnknownObject otherwise; a handler that did not answer gets UnknownMethod sent for it.
/// </summary>
internal sealed class MethodDispatcher
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly DBusConnection _connection;
    private readonly Lock _gate = new();
    private Dictionary<string, IMethodHandler> _handlers = new(StringComparer.Ordinal);

    public MethodDispatcher(DBusConnection connection) => _connection = connection;

    public void Add(IMethodHandler handler)
    {
        if (!DBusNames.IsValidObjectPath(handler.Path))
        {
            throw new ArgumentException($"Invalid object path '{handler.Path}'", nameof(handler));
        }
        lock (_gate)
        {
            if (_handlers.ContainsKey(handler.Path))
            {
                throw new InvalidOperationException($"A handler is already registered at '{handler.Path}'");
            }
            _handlers = new Dictionary<string, IMethodHandler>(_handlers, StringComparer.Ordinal) { [handler.Path] = handler };
        }
    }

    public bool Remove(string path)
    {
        lock (_gate)
        {
            var copy = new Dictionary<string, IMethodHandler>(_handlers, StringComparer.Ordinal);
            bool removed = copy.Remove(path);
            _handlers = copy;
            return removed;
        }
    }

    /// <summary>Whether <paramref name="call"/> may run on the connection's reader: Peer calls, and what its handler says.</summary>
    public bool RunsInline(Message call)
    {
        if (call.Interface == StandardInterfaces.Peer)
        {
            return true;
        }

        return call.Path is { } path && Find(Volatile.Read(ref _handlers), path) is { } handler && handler.RunsInline(call);
    }

    public async Task DispatchAsync(Message call)
    {
        using (call)
        {
            var context = new MethodContext(_connection, call);
            try
            {
                await DispatchCoreAsync(context).ConfigureAwait(false);
                if (!context.ReplySent && !context.NoReplyExpected)
                {
                    context.ReplyError(DBusErrorNames.UnknownMethod, StandardInterfaces.NoSuchMethod(call));
                }
            }
            catch (DBusErrorReplyException e)
            {
                // A handler's way to answer with a D-Bus error of its own (org.libvirt.Error...).
                TryReplyError(context, e.ErrorName, e.ErrorMessage ?? "");
            }
            catch (DBusReadException e)
            {
                s_log.Debug(e, "Malformed arguments to {Member} at {Path}", call.Member, call.Path);
                TryReplyError(context, DBusErrorNames.InvalidArgs, e.Message);
            }
            catch (Exception e)
            {
                s_log.Error(e, "Handler for {Interface}.{Member} at {Path} failed", call.Interface, call.Member, call.Path);
                TryReplyError(context, DBusErrorNames.Failed, e.Message);
            }
        }
    }

    private ValueTask DispatchCoreAsync(MethodContext context)
    {
        Message call = context.Request;
        string path = call.Path!;
        if (call.Interface == StandardInterfaces.Peer)
        {
            StandardInterfaces.HandlePeer(context);
            return ValueTask.CompletedTask;
        }
        Dictionary<string, IMethodHandler> handlers = Volatile.Read(ref _handlers);
        IMethodHandler? handler = Find(handlers, path);
        if (handler is not null)
        {
            return handler.HandleMethodAsync(context);
        }
        if (call.Member == "Introspect" && call.Interface is null or StandardInterfaces.Introspectable && call.Signature.Length == 0)
        {
            List<string> children = ChildNames(handlers, path);
            if (children.Count > 0 || path == "/")
            {
                ReplyString(context, IntrospectionXml.Build([], children));
                return ValueTask.CompletedTask;
            }
        }
        context.ReplyError(DBusErrorNames.UnknownObject, $"No such object path '{path}'");
        return ValueTask.CompletedTask;
    }

    /// <summary>The direct children of <paramref name="path"/> among the registered paths and what handlers report.</summary>
    public List<string> ChildNames(string path) => ChildNames(Volatile.Read(ref _handlers), path);

    private static List<string> ChildNames(Dictionary<string, IMethodHandler> handlers, string path)
    {
        string prefix = path == "/" ? "/" : path + "/";
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach ((string registered, IMethodHandler handler) in handlers)
        {
            if (registered.StartsWith(prefix, StringComparison.Ordinal) && registered.Length > prefix.Length)
            {
                string rest = registered[prefix.Length..];
                int slash = rest.IndexOf('/');
                names.Add(slash < 0 ? rest : rest[..slash]);
            }
            if (handler.HandlesChildPaths && (registered == path || path.StartsWith(registered == "/" ? "/" : registered + "/", StringComparison.Ordinal)))
            {
                names.UnionWith(handler.GetChildNames(path));
            }
        }
        return [.. names];
    }

    private static IMethodHandler? Find(Dictionary<string, IMethodHandler> handlers, string path)
    {
        if (handlers.TryGetValue(path, out IMethodHandler? exact))
        {
            return exact;
        }
        string current = path;
        while (current.Length > 1)
        {
            int slash = current.LastIndexOf('/');
            current = slash == 0 ? "/" : current[..slash];
            if (handlers.TryGetValue(current, out IMethodHandler? ancestor) && ancestor.HandlesChildPaths)
            {
                return ancestor;
            }
        }
        return null;
    }

    private static void ReplyString(MethodContext context, string value)
    {
        MessageWriter writer = context.CreateReplyWriter("s");
        writer.WriteString(value);
        context.Reply(writer.CreateMessage());
    }

    private static void TryReplyError(MethodContext context, string name, string message)
    {
        if (!context.ReplySent && !context.NoReplyExpected)
        {
            context.ReplyError(name, message);
        }
    }
}
