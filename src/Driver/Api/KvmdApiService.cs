using Kvm.Driver.Domains;
using NLog;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// kvmd's org.libvirt D-Bus service on Tmds.DBus.Protocol: connects to a bus, exports the Connect object at
/// /org/libvirt/QEMU and the domain objects below /org/libvirt/QEMU/domain, forwards domain events as signals, then
/// owns the bus name (org.libvirt), failing when another process owns it. Dispose to release the name and leave the bus.
/// </summary>
public sealed class KvmdApiService : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly DBusConnection _connection;
    private readonly DomainEventEmitter _events;
    private readonly StoragePoolEventEmitter? _poolEvents;
    private readonly HostObjectTree? _hostObjects;
    private readonly NetworkEventEmitter? _networkEvents;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private KvmdApiService(DBusConnection connection, DomainEventEmitter events, StoragePoolEventEmitter? poolEvents,
        NetworkEventEmitter? networkEvents, CancellationTokenSource stopping, KvmdApiOptions options, HostObjectTree? hostObjects)
    {
        _hostObjects = hostObjects;
        _connection = connection;
        _events = events;
        _poolEvents = poolEvents;
        _networkEvents = networkEvents;
        _stopping = stopping;
        Options = options;
        Completion = WatchAsync(connection);
    }

    public KvmdApiOptions Options { get; }

    /// <summary>This connection's unique name on the bus.</summary>
    public string? UniqueName => _connection.UniqueName;

    /// <summary>Completes when the bus connection ends (faulted when it was lost rather than disposed).</summary>
    public Task Completion { get; }

    /// <summary>
    /// Starts serving <paramref name="manager"/> on the bus at <paramref name="busAddress"/> (a D-Bus address such as
    /// DBUS_SESSION_BUS_ADDRESS's, or unix:path=/run/dbus/system_bus_socket).
    /// </summary>
    /// <param name="pools">The driver core's storage pools, served as org.libvirt.StoragePool/StorageVol; without it their methods answer "not supported".</param>
    /// <param name="hostObjects">The secrets, node devices and host interfaces to serve; without it their methods answer "not supported".</param>
    /// <param name="networks">The driver core's networks, served as org.libvirt.Network; without it their methods answer "not supported".</param>
    /// <exception cref="BusNameTakenException">Another connection owns the bus name.</exception>
    public static async Task<KvmdApiService> StartAsync(IDomainManager manager, string busAddress, KvmdApiOptions? options = null,
        CancellationToken cancellationToken = default, Pools.StoragePoolManager? pools = null, HostObjects? hostObjects = null,
        Networks.NetworkManager? networks = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        options ??= new KvmdApiOptions();
        var connection = new DBusConnection(new DBusConnectionOptions(busAddress) { AutoConnect = false, OnException = OnException });
        var stopping = new CancellationTokenSource();
        DomainEventEmitter? events = null;
        StoragePoolEventEmitter? poolEvents = null;
        HostObjectTree? hostTree = null;
        NetworkEventEmitter? networkEvents = null;
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            hostTree = hostObjects is null ? null : new HostObjectTree(hostObjects, connection, stopping.Token);
            var connect = new ConnectObject(manager, options, () => HostInfo.Read(), stopping.Token, pools, hostTree, networks);
            var domain = new DomainObject(manager, stopping.Token, hostObjects?.Snapshots);
            var subtrees = new List<LibvirtObjectHandler>
            {
                new(LibvirtPaths.DomainRoot, subtree: true, domain,
                    path => path == LibvirtPaths.DomainRoot ? manager.List().Select(d => LibvirtPaths.EncodeUuid(d.Uuid)).ToArray() : []),
            };
            if (pools is not null)
            {
                var pool = new StoragePoolObject(pools);
                var vol = new StorageVolObject(pools);
                subtrees.Add(new LibvirtObjectHandler(LibvirtPaths.StoragePoolRoot, subtree: true, pool, pool.Children));
                subtrees.Add(new LibvirtObjectHandler(LibvirtPaths.StorageVolRoot, subtree: true, vol, vol.Children));
            }
            subtrees.AddRange(hostTree?.Subtrees ?? []);
            if (networks is not null)
            {
                var network = new NetworkObject(networks);
                subtrees.Add(new LibvirtObjectHandler(LibvirtPaths.NetworkRoot, subtree: true, network, network.Children));
            }

            var connectChildren = new List<string> { "domain" };
            if (networks is not null)
            {
                connectChildren.Add("network");
            }

            if (pools is not null)
            {
                connectChildren.AddRange(["storagepool", "storagevol"]);
            }

            connectChildren.AddRange(hostTree?.ConnectChildren ?? []);
            connection.AddMethodHandler(new LibvirtObjectTree(
                new LibvirtObjectHandler(LibvirtPaths.Connect, subtree: false, connect, _ => connectChildren), [.. subtrees]));
            events = new DomainEventEmitter(manager, connection);
            poolEvents = pools is null ? null : new StoragePoolEventEmitter(pools, connection);
            networkEvents = networks is null ? null : new NetworkEventEmitter(networks, connection);
            // DoNotQueue: RequestNameOptions.None (no AllowReplacement, no ReplaceExisting); Tmds never queues with TryRequestNameAsync.
            bool owned = await connection.TryRequestNameAsync(options.BusName, RequestNameOptions.None).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!owned)
            {
                string owner = await BusCalls.GetNameOwnerAsync(connection, options.BusName).WaitAsync(cancellationToken).ConfigureAwait(false);
                throw new BusNameTakenException(options.BusName, owner);
            }
            s_log.Info("Serving {BusName} as {UniqueName} on {Address}", options.BusName, connection.UniqueName, busAddress);
            return new KvmdApiService(connection, events, poolEvents, networkEvents, stopping, options, hostTree);
        }
        catch
        {
            if (events is not null)
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
            if (poolEvents is not null)
            {
                await poolEvents.DisposeAsync().ConfigureAwait(false);
            }
            if (hostTree is not null)
            {
                await hostTree.DisposeAsync().ConfigureAwait(false);
            }

            if (networkEvents is not null)
            {
                await networkEvents.DisposeAsync().ConfigureAwait(false);
            }
            connection.Dispose();
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
            if (!Completion.IsCompleted)
            {
                await _connection.ReleaseNameAsync(Options.BusName).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is DBusExceptionBase or TimeoutException)
        {
            s_log.Debug(e, "Could not release {BusName}", Options.BusName);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
        if (_poolEvents is not null)
        {
            await _poolEvents.DisposeAsync().ConfigureAwait(false);
        }
        if (_hostObjects is not null)
        {
            await _hostObjects.DisposeAsync().ConfigureAwait(false);
        }

        if (_networkEvents is not null)
        {
            await _networkEvents.DisposeAsync().ConfigureAwait(false);
        }
        _connection.Dispose();
        _stopping.Dispose();
        s_log.Info("Stopped serving {BusName}", Options.BusName);
    }

    private static async Task WatchAsync(DBusConnection connection)
    {
        Exception? reason = await connection.DisconnectedAsync().ConfigureAwait(false);
        if (reason is not null)
        {
            throw new DBusConnectionClosedException("The bus connection was lost", reason);
        }
    }

    private static void OnException(DBusConnection.ExceptionContext context) =>
        s_log.Warn(context.Exception, "D-Bus {Source} failed", context.Source);
}
