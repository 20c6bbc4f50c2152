using Kvm.DBus.Protocol;
using Kvm.DBus.Service;
using Kvm.Driver.Domains;
using NLog;

namespace Kvm.Driver.Api;

/// <summary>
/// Serves one org.libvirt object, or a subtree of them (the domains), the way libvirt-dbus does through GDBus:
/// GDBus's checks and error texts, Properties.Get wrapping once and GetAll twice (skipping properties whose getter
/// fails), Set only for writable properties of the declared type, no PropertiesChanged, and every libvirt failure
/// as org.libvirt.Error. A subtree serves only the direct children of its path (and the path itself).
/// </summary>
internal sealed class LibvirtObjectHandler : IMethodHandler
{
    private const string Introspectable = "org.freedesktop.DBus.Introspectable";
    private const string Properties = "org.freedesktop.DBus.Properties";
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly ILibvirtObject _object;
    private readonly Func<string, IEnumerable<string>> _children;

    /// <param name="children">The child node names of a served path, for Introspect.</param>
    public LibvirtObjectHandler(string path, bool subtree, ILibvirtObject libvirtObject, Func<string, IEnumerable<string>> children)
    {
        Path = path;
        HandlesChildPaths = subtree;
        _object = libvirtObject;
        _children = children;
    }

    public string Path { get; }

    public bool HandlesChildPaths { get; }

    public IEnumerable<string> GetChildNames(string path) => path == Path ? _children(path) : [];

    /// <summary>
    /// Lookups, listings, properties and XML are answered from memory on the connection's reader; what writes a
    /// definition to disk or starts, stops or signals a VMM goes to the thread pool, so that it never holds up the
    /// calls behind it.
    /// </summary>
    public bool RunsInline(Message call) => call.Interface switch
    {
        Introspectable => true,
        Properties => call.Member != "Set",
        _ => call.Member is not ("DomainDefineXML" or "DomainCreateXML" or "Create" or "Destroy" or "Shutdown" or "Reboot"
            or "Reset" or "Suspend" or "Resume" or "Undefine" or "SetMetadata" or "Rename"),
    };

    public async ValueTask HandleMethodAsync(MethodContext context)
    {
        Message call = context.Request;
        string path = call.Path!;
        if (HandlesChildPaths && path != Path && path.AsSpan(Path.Length + 1).Contains('/'))
        {
            Reply(context, GDBusErrors.ObjectDoesNotExist(path));
            return;
        }
        if (s_log.IsDebugEnabled)
        {
            s_log.Debug("Call {Interface}.{Member}({Signature}) at {Path}", call.Interface, call.Member, call.Signature, path);
        }
        try
        {
            switch ((call.Interface, call.Member, call.Signature))
            {
                case (Introspectable, "Introspect", ""):
                    ReplyString(context, GDBusIntrospection.Build(_object.Interface, _children(path)));
                    break;
                case (Properties, "Get", "ss"):
                    Get(context);
                    break;
                case (Properties, "GetAll", "s"):
                    GetAll(context);
                    break;
                case (Properties, "Set", "ssv"):
                    Set(context);
                    break;
                default:
                    if (call.Interface is null || call.Interface == _object.Interface.Name)
                    {
                        await CallAsync(context).ConfigureAwait(false);
                    }
                    else
                    {
                        Reply(context, HandlesChildPaths
                            ? GDBusErrors.MethodDoesNotExist(call.Member, call.Interface, call.Signature)
                            : GDBusErrors.NoSuchInterfaceOnObject(call.Interface, path));
                    }
                    break;
            }
        }
        catch (DomainOperationException e)
        {
            s_log.Debug("{Interface}.{Member} at {Path} failed: {Message}", call.Interface, call.Member, path, e.Message);
            if (!context.ReplySent)
            {
                context.ReplyError(LibvirtErrors.ErrorName, e.Message);
            }
        }
    }

    private ValueTask CallAsync(MethodContext context)
    {
        Message call = context.Request;
        MethodDescription? method = _object.Interface.Description.FindMethod(call.Member!);
        if (method is null)
        {
            Reply(context, GDBusErrors.NoSuchMethod(call.Member));
            return ValueTask.CompletedTask;
        }
        if (method.InSignature != call.Signature)
        {
            Reply(context, GDBusErrors.WrongSignature(call.Signature, method.InSignature));
            return ValueTask.CompletedTask;
        }
        return _object.CallAsync(context);
    }

    private void Get(MethodContext context)
    {
        Reader reader = context.Request.GetBodyReader();
        string interfaceName = reader.ReadString();
        string name = reader.ReadString();
        if (FindProperty(context, interfaceName, name) is null)
        {
            return;
        }
        DBusValue value = _object.GetProperty(context.Request.Path!, name);
        MessageWriter writer = context.CreateReplyWriter("v");
        writer.WriteVariant(value);
        context.Reply(writer.CreateMessage());
    }

    private void GetAll(MethodContext context)
    {
        string interfaceName = context.Request.GetBodyReader().ReadString();
        if (interfaceName != _object.Interface.Name)
        {
            Reply(context, GDBusErrors.NoSuchInterface(interfaceName));
            return;
        }
        MessageWriter writer = context.CreateReplyWriter("a{sv}");
        ArrayStart dict = writer.WriteArrayStart(DBusType.DictEntry);
        foreach ((string name, DBusValue value) in _object.GetAllProperties(context.Request.Path!))
        {
            writer.WriteDictEntryStart();
            writer.WriteString(name);
            writer.WriteVariant(DBusValue.Variant(value)); // libvirt-dbus wraps every GetAll value twice
        }
        writer.WriteArrayEnd(dict);
        context.Reply(writer.CreateMessage());
    }

    private void Set(MethodContext context)
    {
        Reader reader = context.Request.GetBodyReader();
        string interfaceName = reader.ReadString();
        string name = reader.ReadString();
        PropertyDescription? property = FindProperty(context, interfaceName, name);
        if (property is null)
        {
            return;
        }
        if (!property.IsWritable)
        {
            Reply(context, GDBusErrors.NotWritable(name));
            return;
        }
        DBusValue value = reader.ReadVariant().Items[0];
        if (value.Signature != property.Signature)
        {
            Reply(context, GDBusErrors.WrongPropertyType(name, property.Signature, value.Signature));
            return;
        }
        _object.SetProperty(context.Request.Path!, name, value);
        context.ReplyEmpty();
    }

    private PropertyDescription? FindProperty(MethodContext context, string interfaceName, string name)
    {
        if (interfaceName != _object.Interface.Name)
        {
            Reply(context, GDBusErrors.NoSuchInterface(interfaceName));
            return null;
        }
        PropertyDescription? property = _object.Interface.Description.FindProperty(name);
        if (property is null)
        {
            Reply(context, GDBusErrors.NoSuchProperty(name));
        }
        return property;
    }

    internal static void ReplyString(MethodContext context, string value)
    {
        MessageWriter writer = context.CreateReplyWriter("s");
        writer.WriteString(value);
        context.Reply(writer.CreateMessage());
    }

    private static void Reply(MethodContext context, (string Name, string Message) error) => context.ReplyError(error.Name, error.Message);
}
