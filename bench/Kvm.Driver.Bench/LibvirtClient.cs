using System.Text;
using Kvm.DBus;
using Kvm.DBus.Protocol;

namespace Kvm.Driver.Bench;

/// <summary>
/// The measured client: our Kvm.DBus connection to one server's bus, making the org.libvirt calls one at a time.
/// Each call reads its reply as a client would (every object path of ListDomains, the path of a lookup, the
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
        DBusConnection connection = await DBusConnection.ConnectAsync(server.Bus.Address).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await connection.GetNameOwnerAsync(Destination).ConfigureAwait(false);
                break;
            }
            catch (DBusErrorReplyException e) when (e.ErrorName == NameHasNoOwner && DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }
        }
        return new LibvirtClient(connection, server.ConnectPath);
    }

    /// <summary>Connect.DomainDefineXML(s) → o.</summary>
    public async Task<string> DefineAsync(string xml)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "DomainDefineXML", "s");
        writer.WriteString(xml);
        using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        return reply.GetBodyReader().ReadObjectPath();
    }

    /// <summary>org.freedesktop.DBus.Peer.Ping() at the Connect path: no libvirt work, only the bus and the server's D-Bus library.</summary>
    public async Task<bool> PingAsync()
    {
        MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, "org.freedesktop.DBus.Peer", "Ping");
        using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        return true;
    }

    /// <summary>Connect.ListDomains(u 0) → ao; returns the number of paths.</summary>
    public async Task<int> ListDomainsAsync()
    {
        MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "ListDomains", "u");
        writer.WriteUInt32(0);
        using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        return CountPaths(reply);
    }

    private static int CountPaths(Message reply)
    {
        Reader reader = reply.GetBodyReader();
        ArrayEnd end = reader.ReadArrayStart(DBusType.ObjectPath);
        int count = 0;
        while (reader.HasNext(end))
        {
            reader.ReadStringAsSpan();
            count++;
        }
        return count;
    }

    /// <summary>Connect.DomainLookupByName(s) → o; true when the path is <paramref name="expectedPath"/>.</summary>
    public async Task<bool> LookupByNameAsync(string name, byte[] expectedPath)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "DomainLookupByName", "s");
        writer.WriteString(name);
        using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        return reply.GetBodyReader().ReadStringAsSpan().SequenceEqual(expectedPath);
    }

    /// <summary>Connect.DomainLookupByName(s) → o, the path (for set-up, outside the measurement).</summary>
    public async Task<string> LookupPathAsync(string name)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, _connectPath, ConnectInterface, "DomainLookupByName", "s");
        writer.WriteString(name);
        using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        return reply.GetBodyReader().ReadObjectPath();
    }

    /// <summary>Domain.GetXMLDesc(u 0) → s on a domain's path; returns the XML's length in bytes.</summary>
    public async Task<int> GetXmlDescAsync(string domainPath)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, domainPath, DomainInterface, "GetXMLDesc", "u");
        writer.WriteUInt32(0);
        using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        return reply.GetBodyReader().ReadStringAsSpan().Length;
    }

    /// <summary>Domain.GetXMLDesc(u 0) as a string (for checks outside the measurement).</summary>
    public async Task<string> GetXmlDescStringAsync(string domainPath)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Destination, domainPath, DomainInterface, "GetXMLDesc", "u");
        writer.WriteUInt32(0);
        using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        return Encoding.UTF8.GetString(reply.GetBodyReader().ReadStringAsSpan());
    }

    /// <summary>Domain.Destroy(u 0) then Domain.Undefine(u 0) (the test driver's own running domain "test").</summary>
    public async Task RemoveAsync(string domainPath)
    {
        foreach (string member in new[] { "Destroy", "Undefine" })
        {
            MessageWriter writer = _connection.GetMessageWriter();
            writer.WriteMethodCallHeader(Destination, domainPath, DomainInterface, member, "u");
            writer.WriteUInt32(0);
            using Message reply = await _connection.CallMethodAsync(writer.CreateMessage()).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
