using System.Collections.Concurrent;
using System.Threading.Channels;
using Kvm.DBus.Protocol;
using Kvm.DBus.Service;
using Kvm.DBus.Transport;
using NLog;

namespace Kvm.DBus;

/// <summary>
/// A D-Bus connection, to a bus or directly to a peer: calls with replies matched by serial, signals in and out,
/// and method calls dispatched to exported objects, each on the thread pool so one slow handler does not hold
/// up the others. Loss of the connection fails pending calls and completes <see cref="Completion"/>.
/// </summary>
public sealed partial class DBusConnection : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly IMessageStream _stream;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Message>> _pending = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<Message> _signals = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly MethodDispatcher _dispatcher;
    private readonly Task _readLoop;
    private readonly Task _signalLoop;
    private int _serial;
    private int _disposed;

    /// <summary>A connection over an already authenticated stream (peer-to-peer, or before <see cref="HelloAsync"/>).</summary>
    public DBusConnection(IMessageStream stream)
    {
        _stream = stream;
        _dispatcher = new MethodDispatcher(this);
        _readLoop = Task.Run(ReadLoopAsync);
        _signalLoop = Task.Run(SignalLoopAsync);
    }

    /// <summary>The unique name the bus gave in reply to Hello; null on a peer-to-peer connection.</summary>
    public string? UniqueName { get; private set; }

    public bool SupportsUnixFds => _stream.SupportsUnixFds;

    /// <summary>The timeout of calls that do not give one.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Completes when the connection ends: successfully when disposed, faulted when it was lost.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Connects to an address (all its alternatives in turn), authenticates and says Hello.</summary>
    public static async Task<DBusConnection> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        UnixSocketMessageStream stream = await UnixSocketConnector.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        var connection = new DBusConnection(stream);
        try
        {
            await connection.HelloAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static Task<DBusConnection> ConnectSessionBusAsync(CancellationToken cancellationToken = default) =>
        ConnectAsync(DBusAddress.GetSessionBusAddress() ?? throw new DBusConnectionException("DBUS_SESSION_BUS_ADDRESS is not set"), cancellationToken);

    public static Task<DBusConnection> ConnectSystemBusAsync(CancellationToken cancellationToken = default) =>
        ConnectAsync(DBusAddress.GetSystemBusAddress(), cancellationToken);

    /// <summary>A writer for a message to send on this connection.</summary>
    public MessageWriter GetMessageWriter() => new();

    /// <summary>Exports <paramref name="handler"/> at its path (and below it, when it handles child paths).</summary>
    public void AddMethodHandler(IMethodHandler handler) => _dispatcher.Add(handler);

    public bool RemoveMethodHandler(string path) => _dispatcher.Remove(path);

    /// <summary>The direct children of <paramref name="path"/> among exported objects, for introspection.</summary>
    public IReadOnlyList<string> GetChildNames(string path) => _dispatcher.ChildNames(path);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _shutdown.Cancel();
        _stream.Dispose();
        await Task.WhenAll(_readLoop, _signalLoop).ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                Message? message = await _stream.ReceiveAsync(_shutdown.Token).ConfigureAwait(false);
                if (message is null)
                {
                    break;
                }
                if (s_log.IsDebugEnabled)
                {
                    // Header fields only: bodies may hold secrets (domain XML with passwords) and are never logged.
                    s_log.Debug("Received {Type} {Interface}.{Member} serial {Serial} reply-to {ReplySerial} from {Sender} signature '{Signature}'",
                        message.Type, message.Interface, message.Member ?? message.ErrorName, message.Serial, message.ReplySerial, message.Sender, message.Signature);
                }
                Route(message);
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }
        OnDisconnected(failure);
    }

    private void Route(Message message)
    {
        switch (message.Type)
        {
            case MessageType.MethodReturn:
            case MessageType.Error:
                if (_pending.TryRemove(message.ReplySerial, out TaskCompletionSource<Message>? waiter))
                {
                    waiter.TrySetResult(message);
                }
                else
                {
                    message.Dispose();
                }
                break;
            case MessageType.Signal:
                _signals.Writer.TryWrite(message);
                break;
            case MessageType.MethodCall:
                // DispatchAsync answers every failure itself, so the task is never observed.
                _ = _dispatcher.RunsInline(message) ? _dispatcher.DispatchAsync(message) : Task.Run(() => _dispatcher.DispatchAsync(message));
                break;
            case MessageType.Invalid:
                message.Dispose();
                break;
        }
    }

    private void OnDisconnected(Exception? failure)
    {
        bool disposing = _disposed != 0;
        if (!disposing)
        {
            s_log.Info("Connection {Name} lost: {Reason}", UniqueName ?? "(peer-to-peer)", failure?.Message ?? "closed by peer");
        }
        var lost = new DBusConnectionException(disposing ? "Connection disposed" : "Connection lost", failure);
        foreach (uint serial in _pending.Keys)
        {
            if (_pending.TryRemove(serial, out TaskCompletionSource<Message>? waiter))
            {
                waiter.TrySetException(lost);
            }
        }
        _signals.Writer.TryComplete();
        if (disposing)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(lost);
        }
    }
}
