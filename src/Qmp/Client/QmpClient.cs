using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Protocol;
using Kvm.Qmp.Server;
using NLog;
using Polly.Timeout;

namespace Kvm.Qmp.Client;

/// <summary>
/// QMP client for the daemon: connects (waiting for the socket to appear), negotiates, executes
/// commands with ids, timeouts and cancellation, streams events, and reports a lost connection
/// through <see cref="Completion"/> and by failing pending commands.
/// </summary>
public sealed partial class QmpClient : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Socket _socket;
    private readonly QmpClientOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonNode?>> _pending = new(StringComparer.Ordinal);
    private readonly Channel<QmpEventMessage> _events = Channel.CreateUnbounded<QmpEventMessage>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Channel<JsonObject> _greeting = Channel.CreateBounded<JsonObject>(1);
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _readerLoop = Task.CompletedTask;
    private long _nextId;
    private bool _disposed;

    private QmpClient(Socket socket, QmpClientOptions options)
    {
        _socket = socket;
        _options = options;
    }

    /// <summary>The server's version from its greeting.</summary>
    public QmpVersionInfo? ServerVersion { get; private set; }

    public IReadOnlyList<string> ServerCapabilities { get; private set; } = [];

    /// <summary>Events in arrival order; the stream ends when the connection ends.</summary>
    public IAsyncEnumerable<QmpEventMessage> Events => _events.Reader.ReadAllAsync();

    /// <summary>Completes when the connection ends: faulted with <see cref="QmpConnectionException"/> if it was lost.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Connects to <c>unix:PATH</c>/<c>tcp:HOST:PORT</c> (",server" optional) or a plain socket path.</summary>
    public static Task<QmpClient> ConnectAsync(string address, QmpClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        string normalized = address.Contains(",server", StringComparison.Ordinal) ? address
            : address.StartsWith("unix:", StringComparison.Ordinal) || address.StartsWith("tcp:", StringComparison.Ordinal) ? address + ",server"
            : "unix:" + address + ",server";
        EndPoint endPoint = QmpAddress.Parse(normalized).ToEndPoint();
        return ConnectAsync(endPoint, options, cancellationToken);
    }

    public static async Task<QmpClient> ConnectAsync(EndPoint endPoint, QmpClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        options ??= new QmpClientOptions();
        Socket socket;
        try
        {
            socket = await QmpResiliencePipelines.CreateConnect(options.ConnectTimeout).ExecuteAsync(
                async ct =>
                {
                    var candidate = endPoint is UnixDomainSocketEndPoint
                        ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                        : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        await candidate.ConnectAsync(endPoint, ct).ConfigureAwait(false);
                        return candidate;
                    }
                    catch
                    {
                        candidate.Dispose();
                        throw;
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new QmpConnectionException($"QMP monitor {endPoint} not reachable within {options.ConnectTimeout}", e);
        }

        var client = new QmpClient(socket, options);
        client._readerLoop = Task.Run(client.ReaderLoopAsync);
        try
        {
            await client.NegotiateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _cts.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _readerLoop.ConfigureAwait(false);
        _cts.Dispose();
        _sendLock.Dispose();
    }

    private async Task NegotiateAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CommandTimeout);
        JsonObject greeting;
        try
        {
            greeting = await _greeting.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new QmpConnectionException("QMP monitor closed the connection before its greeting", e);
        }

        JsonNode? qmp = greeting["QMP"];
        JsonNode? version = qmp?["version"];
        if (version?["qemu"] is JsonObject triple)
        {
            ServerVersion = new QmpVersionInfo(
                new QmpVersionTriple(triple["major"]!.GetValue<long>(), triple["minor"]!.GetValue<long>(), triple["micro"]!.GetValue<long>()),
                version["package"]?.GetValue<string>() ?? string.Empty);
        }

        ServerCapabilities = qmp?["capabilities"] is JsonArray caps ? caps.Select(c => c!.GetValue<string>()).ToArray() : [];
        string[] enable = _options.Enable.Where(ServerCapabilities.Contains).ToArray();
        JsonObject? arguments = enable.Length > 0 ? new JsonObject { ["enable"] = new JsonArray(enable.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()) } : null;
        await ExecuteAsync(QmpCapabilitiesCommand.CommandName, arguments, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReaderLoopAsync()
    {
        var parser = new QmpInputParser();
        var inputs = new List<QmpInput>();
        byte[] buffer = new byte[64 * 1024];
        Exception? failure = null;
        try
        {
            while (true)
            {
                int read = await _socket.ReceiveAsync(buffer, SocketFlags.None, _cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    failure = new QmpConnectionException("QMP monitor closed the connection");
                    break;
                }

                parser.Append(buffer.AsSpan(0, read), inputs);
                try
                {
                    foreach (QmpInput input in inputs)
                    {
                        OnMessage(input);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
                {
                    // A member of the wrong JSON type: this peer does not speak QMP as we know it.
                    failure = new QmpConnectionException("QMP server sent a message that is not valid QMP", e);
                    break;
                }

                inputs.Clear();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && _disposed)
        {
            // Disposed by us.
        }
        catch (SocketException e) when (!_disposed)
        {
            failure = new QmpConnectionException("QMP connection lost", e);
        }
        catch (SocketException) when (_disposed)
        {
            // Disposed by us while receiving.
        }

        if (failure is not null && !_disposed)
        {
            _socket.Dispose();
        }

        Exception reported = failure ?? new QmpConnectionException("QMP client disposed");
        _greeting.Writer.TryComplete(reported);
        _events.Writer.TryComplete();
        foreach (KeyValuePair<string, TaskCompletionSource<JsonNode?>> pending in _pending)
        {
            pending.Value.TrySetException(reported);
        }

        if (failure is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            s_log.Info("QMP connection ended: {Reason}", failure.Message);
            _completion.TrySetException(failure);
        }
    }
}
