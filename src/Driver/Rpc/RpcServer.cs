using System.Collections.Concurrent;
using System.Net.Sockets;
using Kvm.Driver.Domains;
using NLog;

namespace Kvm.Driver.Rpc;

/// <summary>
/// kvmd's libvirt RPC front end: listens on the read-write socket (and the read-only one beside it), checks each
/// peer's credentials, serves each client on its own <see cref="RpcConnection"/>, and forwards the driver core's
/// events to the clients that registered for them.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly RpcServerOptions _options;
    private readonly RemoteDispatcher _dispatcher;
    private readonly RpcEventForwarder _events;
    private readonly RpcNetworkEventForwarder? _networkEvents;
    private readonly RpcStoragePoolEventForwarder? _poolEvents;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, (RpcConnection Connection, Task Task)> _clients = new();
    private readonly List<(Socket Socket, string Path, Task Loop)> _listeners = [];
    private int _nextClient;
    private int _failedClients;
    private int _failedCalls;

    private RpcServer(IDomainManager manager, RpcServerOptions options, Api.HostObjects? hostObjects)
    {
        _options = options;
        _dispatcher = new RemoteDispatcher(manager, options, _stopping.Token, hostObjects);
        _events = new RpcEventForwarder(manager, () => _clients.Values.Select(c => c.Connection));
        _networkEvents = hostObjects?.Networks is { } networks
            ? new RpcNetworkEventForwarder(networks, () => _clients.Values.Select(c => c.Connection))
            : null;
        _poolEvents = hostObjects?.Pools is { } pools
            ? new RpcStoragePoolEventForwarder(pools, () => _clients.Values.Select(c => c.Connection))
            : null;
    }

    public RpcServerOptions Options => _options;

    /// <summary>Clients connected now.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Connections that ended with an unexpected exception (a defect: every failure should become a remote_error or a disconnect).</summary>
    public int FailedClients => Volatile.Read(ref _failedClients);

    /// <summary>Calls that failed with an unexpected exception (a defect: the driver core's failures are DomainOperationExceptions).</summary>
    public int FailedCalls => Volatile.Read(ref _failedCalls);

    /// <summary>Event callbacks registered by all clients now.</summary>
    public int RegisteredCallbacks => _clients.Values.Sum(c => c.Connection.State.CallbackCount);

    /// <summary>Binds the sockets (replacing stale socket files, refusing ones a live daemon answers on) and starts accepting.</summary>
    /// <exception cref="IOException">A socket path is in use by a running daemon, or cannot be bound.</exception>
    /// <param name="hostObjects">The node devices, secrets, interfaces, snapshots, networks and storage pools to serve; without it their procedures answer "not supported".</param>
    public static RpcServer Start(IDomainManager manager, RpcServerOptions options, Api.HostObjects? hostObjects = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(options);
        var server = new RpcServer(manager, options, hostObjects);
        try
        {
            server.Listen(options.SocketPath, readOnly: false);
            if (options.ReadOnlySocketPath is not null)
            {
                server.Listen(options.ReadOnlySocketPath, readOnly: true);
            }
            return server;
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _stopping.Cancel();
        foreach ((Socket socket, string path, _) in _listeners)
        {
            socket.Dispose();
            TryDelete(path);
        }
        await Task.WhenAll(_listeners.Select(l => l.Loop)).ConfigureAwait(false);
        await Task.WhenAll(_clients.Values.Select(c => c.Task)).ConfigureAwait(false);
        _events.Dispose();
        _networkEvents?.Dispose();
        _poolEvents?.Dispose();
        _stopping.Dispose();
    }

    private void Listen(string path, bool readOnly)
    {
        string directory = Path.GetDirectoryName(path) ?? "/";
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, _options.AccessGroup is null ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : (UnixFileMode)0b111_101_101);
        }
        RemoveStaleSocket(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            SetAccess(path, readOnly);
            socket.Listen(64);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _listeners.Add((socket, path, AcceptLoopAsync(socket, path, readOnly)));
        RpcLog.Listening(path, readOnly);
    }

    /// <summary>
    /// Who may open the socket file: anyone the read-only one; the session's read-write one its user; the system's
    /// read-write one root and the access group (0660, as libvirt's unix_sock_group), so others get "Permission denied"
    /// from the kernel. Each accepted peer is checked again by its credentials.
    /// </summary>
    private void SetAccess(string path, bool readOnly)
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (readOnly)
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110);
            return;
        }
        if (_options.AccessGroup is string group && PeerCredentials.TryGroupId(group, "/etc/group", out uint gid))
        {
            if (Interop.LibC.Chown(path, -1, (int)gid) != 0)
            {
                throw new IOException($"Cannot give {path} to group {group}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }
            File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            return;
        }
        if (_options.AccessGroup is not null)
        {
            s_log.Warn("No group {Group}: only root may use {Socket}", _options.AccessGroup, path);
        }
        File.SetUnixFileMode(path, OwnerOnly);
    }

    private async Task AcceptLoopAsync(Socket listener, string path, bool readOnly)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                s_log.Warn("Accept on {Socket} failed: {Error}", path, e.Message);
                continue;
            }
            PeerCredentials peer;
            try
            {
                peer = PeerCredentials.Of(client);
            }
            catch (SocketException e)
            {
                s_log.Warn("No peer credentials on {Socket}: {Error}", path, e.Message);
                client.Dispose();
                continue;
            }
            if (!readOnly && !peer.MayUse(_options.AccessGroup))
            {
                RpcLog.Refused(peer, path);
                client.Dispose();
                continue;
            }
            int id = Interlocked.Increment(ref _nextClient);
            RpcLog.Accepted(id, peer, readOnly);
            var connection = new RpcConnection(id, client, new RpcClientState(readOnly, peer.Uid), _dispatcher, _options, OnCallFailed);
            var serve = new Task<Task>(() => ServeAsync(connection));
            _clients[id] = (connection, serve.Unwrap()); // registered before it runs, so its removal cannot come first
            serve.Start(TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(RpcConnection connection)
    {
        try
        {
            await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failedClients);
            s_log.Error(e, "Client {Client} failed", connection.Id);
        }
        finally
        {
            _clients.TryRemove(connection.Id, out _);
        }
    }

    private void OnCallFailed(RpcConnection connection, RpcCall call, Exception e)
    {
        Interlocked.Increment(ref _failedCalls);
        s_log.Error(e, "Client {Client}: procedure {Procedure} serial {Serial} failed unexpectedly", connection.Id, call.Header.Procedure, call.Header.Serial);
    }

    /// <summary>A socket file nobody answers on is left from a previous run: remove it. One a daemon answers on is not ours to take.</summary>
    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new IOException($"{path} is in use by another daemon");
            }
            catch (SocketException)
            {
                // stale
            }
        }
        File.Delete(path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s_log.Debug("Could not remove {Socket}: {Error}", path, e.Message);
        }
    }
}
