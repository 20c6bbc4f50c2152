using Kvm.Driver.Domains;
using NLog;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// Serves one org.libvirt object, or a subtree of them (the domains), the way libvirt-dbus does through GDBus:
/// GDBus's checks and error texts, Properties.Get wrapping once and GetAll twice (skipping properties whose getter
/// fails), Set only for writable properties of the declared type, no PropertiesChanged, and every libvirt failure
/// as org.libvirt.Error. A subtree serves only the direct children of its path (and the path itself).
/// </summary>
internal sealed class LibvirtObjectHandler
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

    /// <summary>
    /// Lookups, listings, properties and XML are answered from memory on the connection's reader (Tmds reads the
    /// next message once this returns); every other call (writing a definition, starting, stopping or asking a VMM,
    /// running qemu-img, reading the host) goes to the thread pool and answers from there, so that it never holds up
    /// the calls behind it. kvmd's socket completions run inline (<see cref="Runtime.InlineSocketCompletions"/>), so
    /// the reader is a socket event thread that other sockets share: what runs on it must never block.
    /// </summary>
    public ValueTask HandleMethodAsync(MethodContext context, LibvirtCall call)
    {
        if (RunsInline(call))
        {
            return GuardAsync(context, call);
        }
        context.DisposesAsynchronously = true;
        _ = Task.Run(async () =>
        {
            using (context)
            {
                await GuardAsync(context, call).ConfigureAwait(false);
            }
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The calls answered on the reader: only those known to read the driver core's memory and nothing else. A call
    /// not named here (a new one too) goes to the pool. Properties.Get and GetAll read the same records.
    /// </summary>
    private bool RunsInline(LibvirtCall call) => call.Interface switch
    {
        Introspectable => true,
        Properties => call.Member != "Set",
        _ => (_object.Interface.Name, call.Member) switch
        {
            ("org.libvirt.Connect", "ListDomains" or "DomainLookupByName" or "DomainLookupByUUID" or "DomainLookupByID"
                or "ListNetworks" or "NetworkLookupByName" or "NetworkLookupByUUID" or "ListStoragePools"
                or "StoragePoolLookupByName" or "StoragePoolLookupByUUID" or "ListSecrets" or "SecretLookupByUUID"
                or "SecretLookupByUsage") => true,
            ("org.libvirt.Domain", "GetXMLDesc" or "GetState" or "GetControlInfo" or "GetMetadata" or "ListDomainSnapshots"
                or "SnapshotLookupByName" or "SnapshotCurrent") => true,
            ("org.libvirt.DomainSnapshot", "GetXMLDesc" or "GetParent" or "IsCurrent" or "ListChildren") => true,
            ("org.libvirt.Network" or "org.libvirt.Secret", "GetXMLDesc") => true,
            _ => false,
        },
    };

    private ValueTask HandleCoreAsync(MethodContext context, LibvirtCall call)
    {
        if (HandlesChildPaths && call.Path != Path && call.Path.AsSpan(Path.Length + 1).Contains('/'))
        {
            Replies.Error(context, GDBusErrors.ObjectDoesNotExist(call.Path));
            return ValueTask.CompletedTask;
        }
        if (s_log.IsDebugEnabled)
        {
            s_log.Debug("Call {Interface}.{Member}({Signature}) at {Path}", call.Interface, call.Member, call.Signature, call.Path);
        }
        switch ((call.Interface, call.Member, call.Signature))
        {
            case (Introspectable, "Introspect", ""):
                Replies.String(context, GDBusIntrospection.Build(_object.Interface, _children(call.Path)));
                return ValueTask.CompletedTask;
            case (Properties, "Get", "ss"):
                Get(context, call.Path);
                return ValueTask.CompletedTask;
            case (Properties, "GetAll", "s"):
                GetAll(context, call.Path);
                return ValueTask.CompletedTask;
            case (Properties, "Set", "ssv"):
                Set(context, call.Path);
                return ValueTask.CompletedTask;
        }
        if (call.Interface is null || call.Interface == _object.Interface.Name)
        {
            MethodDescription? method = _object.Interface.Description.FindMethod(call.Member);
            if (method is null)
            {
                Replies.Error(context, GDBusErrors.NoSuchMethod(call.Member));
            }
            else if (method.InSignature != call.Signature)
            {
                Replies.Error(context, GDBusErrors.WrongSignature(call.Signature, method.InSignature));
            }
            else
            {
                return _object.CallAsync(context, call);
            }
        }
        else
        {
            Replies.Error(context, HandlesChildPaths
                ? GDBusErrors.MethodDoesNotExist(call.Member, call.Interface, call.Signature)
                : GDBusErrors.NoSuchInterfaceOnObject(call.Interface, call.Path));
        }
        return ValueTask.CompletedTask;
    }

    private void Get(MethodContext context, string path)
    {
        Reader reader = context.Request.GetBodyReader();
        string interfaceName = reader.ReadString();
        string name = reader.ReadString();
        if (FindProperty(context, interfaceName, name) is null)
        {
            return;
        }
        VariantValue value = _object.GetProperty(path, name);
        using MessageWriter writer = context.CreateReplyWriter("v");
        writer.WriteVariant(value);
        context.Reply(writer.CreateMessage());
    }

    private void GetAll(MethodContext context, string path)
    {
        string interfaceName = context.Request.GetBodyReader().ReadString();
        if (interfaceName != _object.Interface.Name)
        {
            Replies.Error(context, GDBusErrors.NoSuchInterface(interfaceName));
            return;
        }
        Replies.TypedParameters(context, _object.GetAllProperties(path)); // libvirt-dbus wraps every GetAll value twice
    }

    private void Set(MethodContext context, string path)
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
            Replies.Error(context, GDBusErrors.NotWritable(name));
            return;
        }
        string signature = reader.ReadSignatureAsString();
        if (signature != property.Signature)
        {
            Replies.Error(context, GDBusErrors.WrongPropertyType(name, property.Signature, signature));
            return;
        }
        _object.SetProperty(path, name, ref reader);
        Replies.Empty(context);
    }

    /// <summary>
    /// Handles a call and answers what it threw (synchronously or not): libvirt's failures as org.libvirt.Error, arguments that do
    /// not read as InvalidArgs, anything else as Failed (logged). Tmds leaves the connection open either way.
    /// </summary>
    private async ValueTask GuardAsync(MethodContext context, LibvirtCall call)
    {
        try
        {
            await HandleCoreAsync(context, call).ConfigureAwait(false);
        }
        catch (DomainOperationException e)
        {
            s_log.Debug("{Interface}.{Member} at {Path} failed: {Message}", call.Interface, call.Member, call.Path, e.Message);
            TryReplyError(context, LibvirtErrors.ErrorName, e.Message);
        }
        catch (Exception e) when (e is DBusReadException or DBusUnexpectedValueException)
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

    private static void TryReplyError(MethodContext context, string name, string message)
    {
        if (!context.ReplySent && !context.NoReplyExpected)
        {
            context.ReplyError(name, message);
        }
    }

    private PropertyDescription? FindProperty(MethodContext context, string interfaceName, string name)
    {
        if (interfaceName != _object.Interface.Name)
        {
            Replies.Error(context, GDBusErrors.NoSuchInterface(interfaceName));
            return null;
        }
        PropertyDescription? property = _object.Interface.Description.FindProperty(name);
        if (property is null)
        {
            Replies.Error(context, GDBusErrors.NoSuchProperty(name));
        }
        return property;
    }
}
