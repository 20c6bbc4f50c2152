using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

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

    /// <summary>
    /// How long one call may take: virsh waits for a start or a shutdown as long as the daemon works on it; D-Bus's
    /// usual 25 s is too short for a VMM that is slow to come up (kvmd bounds that wait itself).
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);

    public static async Task<LibvirtClient> ConnectAsync(BusTarget target, CancellationToken cancellationToken)
    {
        try
        {
            var connection = new DBusConnection(new DBusConnectionOptions(target.Address) { AutoConnect = false });
            try
            {
                await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
            return new LibvirtClient(connection, target.ConnectPath);
        }
        catch (Exception e) when (e is DBusExceptionBase or IOException or System.Net.Sockets.SocketException)
        {
            throw new VirshErrorException("failed to connect to the hypervisor",
                $"cannot connect to the {(target.IsSystem ? "system" : "session")} bus: {e.Message}");
        }
    }

    /// <summary>The text virsh would print for a failed call: libvirt's message for org.libvirt.Error, else the D-Bus error.</summary>
    public static string MessageOf(DBusErrorReplyException error) => error.ErrorName switch
    {
        LibvirtError => error.ErrorMessage ?? "unknown error",
        DBusErrorNames.ServiceUnknown or DBusErrorNames.NameHasNoOwner =>
            $"kvmd is not running on this bus ({error.ErrorMessage ?? error.ErrorName})",
        _ => error.ErrorMessage is null ? error.ErrorName : $"{error.ErrorName}: {error.ErrorMessage}",
    };

    /// <summary>
    /// The basic value inside every variant level (libvirt-dbus wraps GetAll values and typed parameters twice):
    /// bool, integers, double or string, boxed; null for containers.
    /// </summary>
    public static object? ScalarOf(VariantValue value)
    {
        while (value.Type == VariantValueType.Variant)
        {
            value = value.GetVariantValue();
        }
        return value.Type switch
        {
            VariantValueType.Bool => value.GetBool(),
            VariantValueType.Byte => value.GetByte(),
            VariantValueType.Int16 => value.GetInt16(),
            VariantValueType.UInt16 => value.GetUInt16(),
            VariantValueType.Int32 => value.GetInt32(),
            VariantValueType.UInt32 => value.GetUInt32(),
            VariantValueType.Int64 => value.GetInt64(),
            VariantValueType.UInt64 => value.GetUInt64(),
            VariantValueType.Double => value.GetDouble(),
            VariantValueType.String => value.GetString(),
            VariantValueType.ObjectPath => value.GetObjectPathAsString(),
            _ => null,
        };
    }

    public Task<IReadOnlyList<string>> ListDomainsAsync(uint flags, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<string>>(ConnectPath, ConnectInterface, "ListDomains", "u", (ref MessageWriter w) => w.WriteUInt32(flags),
            static (Message reply, object? _) => reply.GetBodyReader().ReadArrayOfObjectPath().Select(p => p.ToString()).ToArray(), cancellationToken);

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
    public Task<(string Model, string Doi)> NodeGetSecurityModelAsync(CancellationToken cancellationToken) =>
        CallAsync(ConnectPath, ConnectInterface, "NodeGetSecurityModel", null, null, static (Message reply, object? _) =>
        {
            Reader reader = reply.GetBodyReader();
            reader.AlignStruct();
            return (reader.ReadString(), reader.ReadString());
        }, cancellationToken);

    /// <summary>A property of the Connect object (Properties.Get wraps once).</summary>
    public Task<VariantValue> GetConnectPropertyAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(ConnectPath, PropertiesInterface, "Get", "ss", (ref MessageWriter w) => { w.WriteString(ConnectInterface); w.WriteString(name); },
            static (Message reply, object? _) => reply.GetBodyReader().ReadVariantValue(), cancellationToken);

    public ValueTask DisposeAsync()
    {
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    private delegate void BodyWriter(ref MessageWriter writer);

    private Task<string> CallForPathAsync(string member, string signature, BodyWriter body, CancellationToken cancellationToken) =>
        CallAsync(ConnectPath, ConnectInterface, member, signature, body, static (Message reply, object? _) => reply.GetBodyReader().ReadObjectPathAsString(),
            cancellationToken);

    /// <summary>One call; <paramref name="read"/> reads the reply while Tmds still holds it. Error replies throw <see cref="DBusErrorReplyException"/>.</summary>
    private Task<T> CallAsync<T>(string path, string @interface, string member, string? signature, BodyWriter? body, MessageValueReader<T> read,
        CancellationToken cancellationToken)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(ServiceName, path, @interface, member, signature);
            body?.Invoke(ref writer);
            return WithTimeoutAsync(_connection.CallMethodAsync(writer.CreateMessage(), read), cancellationToken);
        }
        finally
        {
            writer.Dispose();
        }
    }

    private Task CallVoidAsync(string path, string @interface, string member, string? signature, BodyWriter? body, CancellationToken cancellationToken)
    {
        MessageWriter writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(ServiceName, path, @interface, member, signature);
            body?.Invoke(ref writer);
            return WithTimeoutAsync(_connection.CallMethodAsync(writer.CreateMessage()), cancellationToken);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Tmds waits for a reply as long as the bus lets it; past <see cref="CallTimeout"/> a call fails as libdbus's do (NoReply).</summary>
    private static async Task<T> WithTimeoutAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DBusErrorReplyException(DBusErrorNames.NoReply, $"No reply within {CallTimeout.TotalMilliseconds} ms");
        }
    }

    private static async Task WithTimeoutAsync(Task call, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DBusErrorReplyException(DBusErrorNames.NoReply, $"No reply within {CallTimeout.TotalMilliseconds} ms");
        }
    }
}
