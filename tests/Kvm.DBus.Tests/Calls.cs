using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests;

/// <summary>Client-side helpers the tests share: typed calls to org.kvm.Test and the standard interfaces.</summary>
internal static class Calls
{
    public static async Task<string> EchoAsync(DBusConnection client, string? destination, string path, string text, TimeSpan? timeout = null)
    {
        MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader(destination, path, TestInterface.Name, "Echo", "s");
        writer.WriteString(text);
        using Message reply = await client.CallMethodAsync(writer.CreateMessage(), timeout);
        return reply.GetBodyReader().ReadString();
    }

    public static async Task<Message> CallAsync(DBusConnection client, string? destination, string path, string? iface, string member,
        string? signature = null, string? stringArg = null, uint? uintArg = null, TimeSpan? timeout = null)
    {
        MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader(destination, path, iface, member, signature);
        if (stringArg is not null)
        {
            writer.WriteString(stringArg);
        }
        if (uintArg is { } u)
        {
            writer.WriteUInt32(u);
        }
        return await client.CallMethodAsync(writer.CreateMessage(), timeout);
    }

    public static async Task<string> IntrospectAsync(DBusConnection client, string? destination, string path)
    {
        using Message reply = await CallAsync(client, destination, path, "org.freedesktop.DBus.Introspectable", "Introspect");
        return reply.GetBodyReader().ReadString();
    }

    public static async Task<DBusValue> GetPropertyAsync(DBusConnection client, string? destination, string path, string iface, string name)
    {
        MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader(destination, path, "org.freedesktop.DBus.Properties", "Get", "ss");
        writer.WriteString(iface);
        writer.WriteString(name);
        using Message reply = await client.CallMethodAsync(writer.CreateMessage());
        return reply.GetBodyReader().ReadVariant().Items[0];
    }

    public static async Task SetPropertyAsync(DBusConnection client, string? destination, string path, string iface, string name, DBusValue value)
    {
        MessageWriter writer = client.GetMessageWriter();
        writer.WriteMethodCallHeader(destination, path, "org.freedesktop.DBus.Properties", "Set", "ssv");
        writer.WriteString(iface);
        writer.WriteString(name);
        writer.WriteVariant(value);
        using Message reply = await client.CallMethodAsync(writer.CreateMessage());
    }
}
