using System.Text;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Bench;

/// <summary>
/// The measured client: a Tmds.DBus.Protocol connection to one server's bus, making the org.libvirt calls one at a
/// time. Each call reads its reply as a client would (every object path of ListDomains, the path of a lookup, the
/// bytes of the XML) and returns a small number the caller checks outside the timed region.
/// </summary>
internal sealed class LibvirtClient : IAsyncDisposable
{
    private const string Destination = "org.libvirt";
    private const string ConnectInterface = "org.libvirt.Connect";
    private const string DomainInterface = "org.libvirt.Domain";
    private const string NameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";

    private readonly DBusConnection _connection;
    private readonly string _connectPath;

    private LibvirtClient(DBusConnection connection, string connectPath)
    {
        _connection = connection;
        _connectPath = connectPath;
    }

    public static async Task<LibvirtClient> ConnectAsync(ServerProcess server, TimeSpan timeout)
    {
        var connection = new DBusConnection(new DBusConnectionOptions(server.Bus.Address) { AutoConnect = false });
        await connection.ConnectAsync().ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await GetNameOwnerAsync(connection, Destination).ConfigureAwait(false);
                break;
            }
            catch (DBusErrorReplyException e) when (e.ErrorName == NameHasNoOwner && DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }
        }
        return new LibvirtClient(connection, server.ConnectPath);
    }

    private static Task<string> GetNameOwnerAsync(DBusConnection connection, string name)
    {
        using MessageWriter writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner", "s");
        writer.WriteString(name);
        return connection.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => reply.GetBodyReader().ReadString());
    }

    /// <summary>Connect.DomainDefineXML(s) → o.</summary>
    public Task<string> DefineAsync(string xml)
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "DomainDefineXML", "s");
        writer.WriteString(xml);
        return _connection.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => reply.GetBodyReader().ReadObjectPathAsString());
    }

    /// <summary>org.freedesktop.DBus.Peer.Ping() at the Connect path: no libvirt work, only the bus and the server's D-Bus library.</summary>
    public async Task<bool> PingAsync()
    {
        await CallPingAsync().ConfigureAwait(false);
        return true;
    }

    private Task CallPingAsync()
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, "org.freedesktop.DBus.Peer", "Ping");
        return _connection.CallMethodAsync(writer.CreateMessage());
    }

    /// <summary>Connect.ListDomains(u 0) → ao; returns the number of paths.</summary>
    public Task<int> ListDomainsAsync()
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "ListDomains", "u");
        writer.WriteUInt32(0);
        return _connection.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => CountPaths(reply));
    }

    private static int CountPaths(Message reply)
    {
        Reader reader = reply.GetBodyReader();
        ArrayEnd end = reader.ReadArrayStart(DBusType.ObjectPath);
        int count = 0;
        while (reader.HasNext(end))
        {
            reader.ReadObjectPathAsSpan();
            count++;
        }
        return count;
    }

    /// <summary>Connect.DomainLookupByName(s) → o; true when the path is <paramref name="expectedPath"/>.</summary>
    public Task<bool> LookupByNameAsync(string name, byte[] expectedPath)
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "DomainLookupByName", "s");
        writer.WriteString(name);
        return _connection.CallMethodAsync(writer.CreateMessage(),
            static (Message reply, object? expected) => reply.GetBodyReader().ReadObjectPathAsSpan().SequenceEqual((byte[])expected!), expectedPath);
    }

    /// <summary>Connect.DomainLookupByName(s) → o, the path (for set-up, outside the measurement).</summary>
    public Task<string> LookupPathAsync(string name)
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "DomainLookupByName", "s");
        writer.WriteString(name);
        return _connection.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => reply.GetBodyReader().ReadObjectPathAsString());
    }

    /// <summary>Domain.GetXMLDesc(u 0) → s on a domain's path; returns the XML's length in bytes.</summary>
    public Task<int> GetXmlDescAsync(string domainPath)
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, domainPath, DomainInterface, "GetXMLDesc", "u");
        writer.WriteUInt32(0);
        return _connection.CallMethodAsync(writer.CreateMessage(), static (Message reply, object? _) => reply.GetBodyReader().ReadStringAsSpan().Length);
    }

    /// <summary>Domain.GetXMLDesc(u 0) as a string (for checks outside the measurement).</summary>
    public Task<string> GetXmlDescStringAsync(string domainPath)
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, domainPath, DomainInterface, "GetXMLDesc", "u");
        writer.WriteUInt32(0);
        return _connection.CallMethodAsync(writer.CreateMessage(),
            static (Message reply, object? _) => Encoding.UTF8.GetString(reply.GetBodyReader().ReadStringAsSpan()));
    }

    /// <summary>Domain.Destroy(u 0) then Domain.Undefine(u 0) (the test driver's own running domain "test").</summary>
    public async Task RemoveAsync(string domainPath)
    {
        foreach (string member in new[] { "Destroy", "Undefine" })
        {
            await CallFlagsAsync(domainPath, member).ConfigureAwait(false);
        }
    }

    private Task CallFlagsAsync(string domainPath, string member)
    {
        using MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, domainPath, DomainInterface, member, "u");
        writer.WriteUInt32(0);
        return _connection.CallMethodAsync(writer.CreateMessage());
    }

    public ValueTask DisposeAsync()
    {
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }
}
