using Kvm.DBus.Protocol;

namespace Kvm.DBus.Service;

/// <summary>
/// Exports objects made of <see cref="IDBusInterface"/>s, at one path or for a whole subtree, and answers
/// Introspectable and Properties for them. Calls are checked against the interface descriptions first, with the
/// error names dbus-daemon and GDBus use: UnknownObject, UnknownInterface, UnknownMethod, InvalidArgs.
/// </summary>
public sealed partial class ObjectHandler : IMethodHandler
{
    private readonly Func<string, IReadOnlyList<IDBusInterface>?> _resolve;
    private readonly Func<IEnumerable<string>> _children;

    /// <summary>One object at <paramref name="path"/>.</summary>
    public ObjectHandler(string path, params IDBusInterface[] interfaces)
        : this(path, false, p => p == path ? interfaces : null, () => [])
    {
    }

    private ObjectHandler(string path, bool subtree, Func<string, IReadOnlyList<IDBusInterface>?> resolve, Func<IEnumerable<string>> children)
    {
        Path = path;
        HandlesChildPaths = subtree;
        _resolve = resolve;
        _children = children;
    }

    /// <summary>
    /// Every path below <paramref name="path"/>: <paramref name="resolve"/> gives the interfaces of a path, or null
    /// for UnknownObject; <paramref name="children"/> lists the direct children for introspection.
    /// </summary>
    public static ObjectHandler ForSubtree(string path, Func<string, IReadOnlyList<IDBusInterface>?> resolve, Func<IEnumerable<string>> children) =>
        new(path, true, resolve, children);

    public string Path { get; }

    public bool HandlesChildPaths { get; }

    public IEnumerable<string> GetChildNames(string path) => path == Path ? _children() : [];

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        Message call = context.Request;
        IReadOnlyList<IDBusInterface>? interfaces = _resolve(call.Path!);
        bool isRoot = call.Path == Path;
        if (interfaces is null && !(isRoot && HandlesChildPaths))
        {
            context.ReplyError(DBusErrorNames.UnknownObject, $"No such object path '{call.Path}'");
            return ValueTask.CompletedTask;
        }
        interfaces ??= [];
        switch (call.Interface)
        {
            case StandardInterfaces.Introspectable:
                HandleIntrospectable(context, interfaces);
                return ValueTask.CompletedTask;
            case StandardInterfaces.Properties:
                HandleProperties(context, interfaces);
                return ValueTask.CompletedTask;
            case null:
                return DispatchWithoutInterface(context, interfaces);
        }
        IDBusInterface? target = Find(interfaces, call.Interface);
        if (target is null)
        {
            context.ReplyError(DBusErrorNames.UnknownInterface, $"No such interface '{call.Interface}' at object path '{call.Path}'");
            return ValueTask.CompletedTask;
        }
        return Invoke(context, target);
    }

    private ValueTask DispatchWithoutInterface(MethodContext context, IReadOnlyList<IDBusInterface> interfaces)
    {
        Message call = context.Request;
        if (call.Member == "Introspect")
        {
            HandleIntrospectable(context, interfaces);
            return ValueTask.CompletedTask;
        }
        IDBusInterface? target = interfaces.FirstOrDefault(i => i.Description.FindMethod(call.Member!) is not null);
        if (target is null)
        {
            context.ReplyError(DBusErrorNames.UnknownMethod, StandardInterfaces.NoSuchMethod(call));
            return ValueTask.CompletedTask;
        }
        return Invoke(context, target);
    }

    private static ValueTask Invoke(MethodContext context, IDBusInterface target)
    {
        Message call = context.Request;
        MethodDescription? method = target.Description.FindMethod(call.Member!);
        if (method is null)
        {
            context.ReplyError(DBusErrorNames.UnknownMethod, StandardInterfaces.NoSuchMethod(call));
            return ValueTask.CompletedTask;
        }
        if (method.InSignature != call.Signature)
        {
            context.ReplyError(DBusErrorNames.InvalidArgs,
                $"Call to {target.Description.Name}.{method.Name} has wrong args (got '{call.Signature}', expected '{method.InSignature}')");
            return ValueTask.CompletedTask;
        }
        return target.HandleMethodAsync(context);
    }

    private void HandleIntrospectable(MethodContext context, IReadOnlyList<IDBusInterface> interfaces)
    {
        Message call = context.Request;
        if (call.Member != "Introspect" || call.Signature.Length != 0)
        {
            context.ReplyError(call.Member == "Introspect" ? DBusErrorNames.InvalidArgs : DBusErrorNames.UnknownMethod, StandardInterfaces.NoSuchMethod(call));
            return;
        }
        IEnumerable<InterfaceDescription> descriptions = interfaces.Select(i => i.Description);
        if (interfaces.Count > 0)
        {
            descriptions = descriptions.Concat([StandardInterfaces.IntrospectableDescription, StandardInterfaces.PropertiesDescription, StandardInterfaces.PeerDescription]);
        }
        IEnumerable<string> children = context.Connection.GetChildNames(call.Path!);
        MessageWriter writer = context.CreateReplyWriter("s");
        writer.WriteString(IntrospectionXml.Build(descriptions, children));
        context.Reply(writer.CreateMessage());
    }

    private static IDBusInterface? Find(IReadOnlyList<IDBusInterface> interfaces, string name)
    {
        foreach (IDBusInterface candidate in interfaces)
        {
            if (candidate.Description.Name == name)
            {
                return candidate;
            }
        }
        return null;
    }
}
