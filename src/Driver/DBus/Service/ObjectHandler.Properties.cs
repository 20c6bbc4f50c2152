using Kvm.DBus.Protocol;

namespace Kvm.DBus.Service;

public sealed partial class ObjectHandler
{
    /// <summary>Emits org.freedesktop.DBus.Properties.PropertiesChanged with the current values of <paramref name="names"/>.</summary>
    public static ValueTask<uint> EmitPropertiesChangedAsync(DBusConnection connection, string path, IDBusInterface target, params string[] names)
    {
        MessageWriter writer = connection.GetMessageWriter();
        writer.WriteSignalHeader(null, path, StandardInterfaces.Properties, "PropertiesChanged", "sa{sv}as");
        writer.WriteString(target.Description.Name);
        ArrayStart changed = writer.WriteArrayStart(DBusType.DictEntry);
        foreach (string name in names)
        {
            writer.WriteDictEntryStart();
            writer.WriteString(name);
            if (!target.TryWriteProperty(path, name, ref writer))
            {
                writer.Dispose();
                throw new ArgumentException($"Unknown property '{name}'", nameof(names));
            }
        }
        writer.WriteArrayEnd(changed);
        writer.WriteArrayEnd(writer.WriteArrayStart(DBusType.String));
        return connection.EmitSignalAsync(writer.CreateMessage());
    }

    private static void HandleProperties(MethodContext context, IReadOnlyList<IDBusInterface> interfaces)
    {
        Message call = context.Request;
        switch ((call.Member, call.Signature))
        {
            case ("Get", "ss"):
                Get(context, interfaces);
                break;
            case ("GetAll", "s"):
                GetAll(context, interfaces);
                break;
            case ("Set", "ssv"):
                Set(context, interfaces);
                break;
            case ("Get", _):
            case ("GetAll", _):
            case ("Set", _):
                context.ReplyError(DBusErrorNames.InvalidArgs, $"Call to {call.Member} has wrong args (got '{call.Signature}')");
                break;
            default:
                context.ReplyError(DBusErrorNames.UnknownMethod, StandardInterfaces.NoSuchMethod(call));
                break;
        }
    }

    private static void Get(MethodContext context, IReadOnlyList<IDBusInterface> interfaces)
    {
        Reader reader = context.Request.GetBodyReader();
        string interfaceName = reader.ReadString();
        string name = reader.ReadString();
        if (!TryFindProperty(context, interfaces, interfaceName, name, out IDBusInterface? target, out PropertyDescription? property))
        {
            return;
        }
        if (!property.IsReadable)
        {
            context.ReplyError(DBusErrorNames.InvalidArgs, $"Property '{name}' is not readable");
            return;
        }
        MessageWriter writer = context.CreateReplyWriter("v");
        if (!target.TryWriteProperty(context.Request.Path!, name, ref writer))
        {
            writer.Dispose();
            context.ReplyError(DBusErrorNames.UnknownProperty, $"No such property '{name}'");
            return;
        }
        context.Reply(writer.CreateMessage());
    }

    private static void GetAll(MethodContext context, IReadOnlyList<IDBusInterface> interfaces)
    {
        string interfaceName = context.Request.GetBodyReader().ReadString();
        IDBusInterface? target = Find(interfaces, interfaceName);
        bool standard = interfaceName is StandardInterfaces.Introspectable or StandardInterfaces.Properties or StandardInterfaces.Peer;
        if (target is null && !standard)
        {
            context.ReplyError(DBusErrorNames.UnknownInterface, $"No such interface '{interfaceName}' at object path '{context.Request.Path}'");
            return;
        }
        MessageWriter writer = context.CreateReplyWriter("a{sv}");
        ArrayStart dict = writer.WriteArrayStart(DBusType.DictEntry);
        if (target is not null)
        {
            foreach (PropertyDescription property in target.Description.Properties)
            {
                if (!property.IsReadable)
                {
                    continue;
                }
                writer.WriteDictEntryStart();
                writer.WriteString(property.Name);
                if (!target.TryWriteProperty(context.Request.Path!, property.Name, ref writer))
                {
                    writer.Dispose();
                    context.ReplyError(DBusErrorNames.Failed, $"Property '{property.Name}' has no value");
                    return;
                }
            }
        }
        writer.WriteArrayEnd(dict);
        context.Reply(writer.CreateMessage());
    }

    private static void Set(MethodContext context, IReadOnlyList<IDBusInterface> interfaces)
    {
        Reader reader = context.Request.GetBodyReader();
        string interfaceName = reader.ReadString();
        string name = reader.ReadString();
        if (!TryFindProperty(context, interfaces, interfaceName, name, out IDBusInterface? target, out PropertyDescription? property))
        {
            return;
        }
        if (!property.IsWritable)
        {
            context.ReplyError(DBusErrorNames.PropertyReadOnly, $"Property '{name}' is read-only");
            return;
        }
        string signature = reader.ReadSignature();
        if (signature != property.Signature)
        {
            context.ReplyError(DBusErrorNames.InvalidArgs, $"Property '{name}' has type '{property.Signature}', not '{signature}'");
            return;
        }
        PropertySetResult result = target.TrySetProperty(context.Request.Path!, name, ref reader);
        switch (result)
        {
            case PropertySetResult.InvalidValue:
                context.ReplyError(DBusErrorNames.InvalidArgs, $"Invalid value for property '{name}'");
                return;
            case PropertySetResult.Set:
            case PropertySetResult.Unchanged:
                context.ReplyEmpty();
                break;
        }
        if (result == PropertySetResult.Set && property.EmitsChanged)
        {
            _ = EmitPropertiesChangedAsync(context.Connection, context.Request.Path!, target, name).AsTask();
        }
    }

    private static bool TryFindProperty(MethodContext context, IReadOnlyList<IDBusInterface> interfaces, string interfaceName, string name,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IDBusInterface? target,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PropertyDescription? property)
    {
        property = null;
        target = Find(interfaces, interfaceName);
        if (target is null)
        {
            context.ReplyError(DBusErrorNames.UnknownInterface, $"No such interface '{interfaceName}' at object path '{context.Request.Path}'");
            return false;
        }
        property = target.Description.FindProperty(name);
        if (property is null)
        {
            context.ReplyError(DBusErrorNames.UnknownProperty, $"No such property '{name}' in interface '{interfaceName}'");
            return false;
        }
        return true;
    }
}
