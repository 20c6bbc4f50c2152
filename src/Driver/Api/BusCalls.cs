using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>The message bus's own methods kvmd needs beyond what <see cref="DBusConnection"/> offers.</summary>
internal static class BusCalls
{
    /// <summary>org.freedesktop.DBus.GetNameOwner: the unique name owning <paramref name="name"/>.</summary>
    public static Task<string> GetNameOwnerAsync(DBusConnection connection, string name)
    {
        MessageWriter writer = connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner", "s");
            writer.WriteString(name);
            return connection.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => reply.GetBodyReader().ReadString());
        }
        finally
        {
            writer.Dispose();
        }
    }
}
