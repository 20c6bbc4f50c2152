using Kvm.DBus.Protocol;
using Kvm.DBus.Service;

namespace Kvm.Driver.Api;

/// <summary>The reply shapes the org.libvirt methods use.</summary>
internal static class Replies
{
    public static void ObjectPath(MethodContext context, string path)
    {
        MessageWriter writer = context.CreateReplyWriter("o");
        writer.WriteObjectPath(path);
        context.Reply(writer.CreateMessage());
    }

    public static void ObjectPaths(MethodContext context, IEnumerable<string> paths)
    {
        MessageWriter writer = context.CreateReplyWriter("ao");
        ArrayStart array = writer.WriteArrayStart(DBusType.ObjectPath);
        foreach (string path in paths)
        {
            writer.WriteObjectPath(path);
        }
        writer.WriteArrayEnd(array);
        context.Reply(writer.CreateMessage());
    }

    public static void String(MethodContext context, string value) => LibvirtObjectHandler.ReplyString(context, value);

    public static void UInt32(MethodContext context, uint value)
    {
        MessageWriter writer = context.CreateReplyWriter("u");
        writer.WriteUInt32(value);
        context.Reply(writer.CreateMessage());
    }

    public static void UInt64(MethodContext context, ulong value)
    {
        MessageWriter writer = context.CreateReplyWriter("t");
        writer.WriteUInt64(value);
        context.Reply(writer.CreateMessage());
    }

    /// <summary>A value of any type (structs such as (ii) and (uut)).</summary>
    public static void Value(MethodContext context, DBusValue value)
    {
        MessageWriter writer = context.CreateReplyWriter(value.Signature);
        writer.WriteValue(value);
        context.Reply(writer.CreateMessage());
    }

    /// <summary>Typed parameters: a{sv} with every value wrapped twice, as libvirt-dbus sends them.</summary>
    public static void TypedParameters(MethodContext context, IEnumerable<KeyValuePair<string, DBusValue>> parameters)
    {
        MessageWriter writer = context.CreateReplyWriter("a{sv}");
        DomainStats.WriteDoubleWrapped(ref writer, parameters);
        context.Reply(writer.CreateMessage());
    }
}
