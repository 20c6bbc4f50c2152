using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>The tests' own bus client: a Tmds.DBus.Protocol connection, and the message bus calls they need.</summary>
internal static class BusClient
{
    public static async Task<DBusConnection> ConnectAsync(string address)
    {
        var connection = new DBusConnection(new DBusConnectionOptions(address) { AutoConnect = false });
        try
        {
            await connection.ConnectAsync();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static Task<string> GetNameOwnerAsync(DBusConnection connection, string name) => BusCalls.GetNameOwnerAsync(connection, name);
}
