using Kvm.DBus;
using Kvm.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary>
/// The org.libvirt D-Bus API as kvmctl calls it: org.libvirt.Connect at <see cref="ConnectPath"/> and the
/// org.libvirt.Domain objects below it. Errors stay <see cref="DBusErrorReplyException"/>; the verbs turn them into
/// virsh's messages.
/// </summary>
internal sealed partial class LibvirtClient : IAsyncDisposable
{
    public const string ServiceName = "org.libvirt";
    public const string LibvirtError = "org.libvirt.Error";
    private const string ConnectInterface = "org.libvirt.Connect";
    private const string DomainInterface = "org.libvirt.Domain";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    private readonly DBusConnection _connection;

    private LibvirtClient(DBusConnection connection, string connectPath)
    {
        _connection = connection;
        ConnectPath = connectPath;
    }

    public string ConnectPath { get; }

    /// <summary>How long one call may take.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);

    public static async Task<LibvirtClient> ConnectAsync(BusTarget target, CancellationToken cancellationToken)
    {
        try
        {
            DBusConnection connection = await DBusConnection.ConnectAsync(target.Address, cancellationToken).ConfigureAwait(false);

            // virsh waits for a start or a shutdown as long as the daemon works on it; D-Bus's usual 25 s is too short
            // for a VMM that is slow to come up (kvmd bounds that wait itself).
            connection.DefaultTimeout = CallTimeout;
            return new LibvirtClient(connection, target.ConnectPath);
        }
        catch (Exception e) when (e is DBusException or IOException or System.Net.Sockets.SocketException)
        {
            throw new VirshErrorException("failed to connect to the hypervisor",
                $"cannot connect to the {(target.IsSystem ? "system" : "session")} bus: {e.Message}");
        }
    }

    /// <summary>The text virsh would print for a failed call: libvirt's message for org.libvirt.Error, else the D-Bus error.</summary>
    public static string MessageOf(DBusErrorReplyException error) => error.ErrorName switch
    {
        LibvirtError => error.ErrorMessage ?? "unknown error",
        DBusErrorNames.ServiceUnknown or "org.freedesktop.DBus.Error.NameHasNoOwner" =>
            $"kvmd is not running on this bus ({error.ErrorMessage ?? error.ErrorName})",
        _ => error.ErrorMessage is null ? error.ErrorName : $"{error.ErrorName}: {error.ErrorMessage}",
    };

    /// <summary>Strips every variant level: libvirt-dbus wraps GetAll values and typed parameters twice.</summary>
    public static DBusValue Unwrap(DBusValue value)
    {
        while (value.Type == DBusType.Variant)
        {
            value = value.Items[0];
        }
        return value;
    }

    public async Task<IReadOnlyList<string>> ListDomainsAsync(uint flags, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(ConnectPath, ConnectInterface, "ListDomains", "u", (ref MessageWriter w) => w.WriteUInt32(flags), cancellationToken)
            .ConfigureAwait(false);
        Reader reader = reply.GetBodyReader();
        var paths = new List<string>();
        ArrayEnd end = reader.ReadArrayStart(DBusType.ObjectPath);
        while (reader.HasNext(end))
        {
            paths.Add(reader.ReadObjectPath());
        }
        return paths;
    }

    public Task<string> LookupByNameAsync(string name, CancellationToken cancellationToken) =>
        CallForPathAsync("DomainLookupByName", "s", (ref MessageWriter w) => w.WriteString(name), cancellationToken);

    public Task<string> LookupByUuidAsync(string uuid, CancellationToken cancellationToken) =>
        CallForPathAsync("DomainLookupByUUID", "s", (ref MessageWriter w) => w.WriteString(uuid), cancellationToken);

    public Task<string> LookupByIdAsync(int id, CancellationToken cancellationToken) =>
        CallForPathAsync("DomainLookupByID", "i", (ref MessageWriter w) => w.WriteInt32(id), cancellationToken);

    public Task<string> DefineXmlAsync(string xml, CancellationToken cancellationToken) =>
        CallForPathAsync("DomainDefineXML", "s", (ref MessageWriter w) => w.WriteString(xml), cancellationToken);

    public Task<string> CreateXmlAsync(string xml, uint flags, CancellationToken cancellationToken) =>
        CallForPathAsync("DomainCreateXML", "su", (ref MessageWriter w) => { w.WriteString(xml); w.WriteUInt32(flags); }, cancellationToken);

    /// <summary>virNodeGetSecurityModel: (model, doi).</summary>
    public async Task<(string Model, string Doi)> NodeGetSecurityModelAsync(CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(ConnectPath, ConnectInterface, "NodeGetSecurityModel", null, null, cancellationToken).ConfigureAwait(false);
        Reader reader = reply.GetBodyReader();
        reader.AlignStruct();
        return (reader.ReadString(), reader.ReadString());
    }

    /// <summary>A property of the Connect object (Properties.Get wraps once).</summary>
    public async Task<DBusValue> GetConnectPropertyAsync(string name, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(ConnectPath, PropertiesInterface, "Get", "ss",
            (ref MessageWriter w) => { w.WriteString(ConnectInterface); w.WriteString(name); }, cancellationToken).ConfigureAwait(false);
        return Unwrap(reply.GetBodyReader().ReadVariant());
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private delegate void BodyWriter(ref MessageWriter writer);

    private async Task<string> CallForPathAsync(string member, string signature, BodyWriter body, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(ConnectPath, ConnectInterface, member, signature, body, cancellationToken).ConfigureAwait(false);
        return reply.GetBodyReader().ReadObjectPath();
    }

    private Task<Message> CallAsync(string path, string @interface, string member, string? signature, BodyWriter? body, CancellationToken cancellationToken)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(ServiceName, path, @interface, member, signature);
            body?.Invoke(ref writer);
            return _connection.CallMethodAsync(writer.CreateMessage(), cancellationToken: cancellationToken);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}
