using Kvm.DBus;
using Kvm.Driver.Domains;
using NLog;

namespace Kvm.Driver.Api;

/// <summary>
/// kvmd's org.libvirt D-Bus service: connects to a bus, exports the Connect object at /org/libvirt/QEMU and the
/// domain objects below /org/libvirt/QEMU/domain, forwards domain events as signals, then owns the bus name
/// (org.libvirt), failing when another process owns it. Dispose to release the name and leave the bus.
/// </summary>
public sealed class KvmdApiService : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly DBusConnection _connection;
    private readonly DomainEventEmitter _events;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private KvmdApiService(DBusConnection connection, DomainEventEmitter events, CancellationTokenSource stopping, KvmdApiOptions options)
    {
        _connection = connection;
        _events = events;
        _stopping = stopping;
        Options = options;
    }

    public KvmdApiOptions Options { get; }

    /// <summary>This connection's unique name on the bus.</summary>
    public string? UniqueName => _connection.UniqueName;

    /// <summary>Completes when the bus connection ends (faulted when it was lost rather than disposed).</summary>
    public Task Completion => _connection.Completion;

    /// <summary>
    /// Starts serving <paramref name="manager"/> on the bus at <paramref name="busAddress"/> (a D-Bus address such as
    /// DBUS_SESSION_BUS_ADDRESS's, or unix:path=/run/dbus/system_bus_socket).
    /// </summary>
    /// <exception cref="BusNameTakenException">Another connection owns the bus name.</exception>
    public static async Task<KvmdApiService> StartAsync(IDomainManager manager, string busAddress, KvmdApiOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manager);
        options ??= new KvmdApiOptions();
        DBusConnection connection = await DBusConnection.ConnectAsync(busAddress, cancellationToken).ConfigureAwait(false);
        var stopping = new CancellationTokenSource();
        DomainEventEmitter? events = null;
        try
        {
            var connect = new ConnectObject(manager, options, () => HostInfo.Read(), stopping.Token);
            var domain = new DomainObject(manager, stopping.Token);
            connection.AddMethodHandler(new MissingObjectHandler());
            connection.AddMethodHandler(new LibvirtObjectHandler(LibvirtPaths.Connect, subtree: false, connect, _ => ["domain"]));
            connection.AddMethodHandler(new LibvirtObjectHandler(LibvirtPaths.DomainRoot, subtree: true, domain,
                path => path == LibvirtPaths.DomainRoot ? manager.List().Select(d => LibvirtPaths.EncodeUuid(d.Uuid)).ToArray() : []));
            events = new DomainEventEmitter(manager, connection);
            RequestNameReply reply = await connection.RequestNameAsync(options.BusName, RequestNameFlags.DoNotQueue, cancellationToken).ConfigureAwait(false);
            if (reply is not (RequestNameReply.PrimaryOwner or RequestNameReply.AlreadyOwner))
            {
                string owner = await connection.GetNameOwnerAsync(options.BusName, cancellationToken).ConfigureAwait(false);
                throw new BusNameTakenException(options.BusName, owner);
            }
            s_log.Info("Serving {BusName} as {UniqueName} on {Address}", options.BusName, connection.UniqueName, busAddress);
            return new KvmdApiService(connection, events, stopping, options);
        }
        catch
        {
            if (events is not null)
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
            await connection.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }
    }

    /// <summary>Releases the bus name, stops the signals, cancels calls in progress and leaves the bus.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            if (!_connection.Completion.IsCompleted)
            {
                await _connection.ReleaseNameAsync(Options.BusName).ConfigureAwait(false);
            }
        }
        catch (DBusException e)
        {
            s_log.Debug(e, "Could not release {BusName}", Options.BusName);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        s_log.Info("Stopped serving {BusName}", Options.BusName);
    }
}
