using System.Net.Sockets;
using System.Threading.Channels;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Protocol;
using NLog;

namespace Kvm.Qmp.Server;

/// <summary>
/// One client connection on a monitor: greeting, negotiation, dispatch. Three loops: the reader
/// (parses and, unless oob is on, runs commands in order), an in-band worker when oob is on, and the
/// writer draining a bounded queue, so a client that does not read only ever blocks itself.
/// </summary>
internal sealed partial class QmpSession
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Socket _socket;
    private readonly QmpServer _server;
    private readonly Channel<byte[]> _outgoing;
    private readonly CancellationTokenSource _cts;

    // The writer's own token: when the session ends (the client left, or the server stops) what is queued, the last
    // events above all (SHUTDOWN before a VMM exits), still goes out for up to DrainTimeout; Abort cancels it at once.
    private readonly CancellationTokenSource _writerCts = new();
    private readonly QmpInputParser _parser;
    private readonly QmpCommandContext _context;
    private Channel<QmpInput>? _inBand;
    private Task _inBandWorker = Task.CompletedTask;
    private bool _negotiated;
    private bool _receivingEvents;
    private bool _oob;

    public QmpSession(Socket socket, QmpServer server, string monitorName, CancellationToken stopping)
    {
        _socket = socket;
        _server = server;
        MonitorName = monitorName;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _outgoing = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(server.Options.MaxQueuedMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _parser = new QmpInputParser(server.Options.InputLimits);
        _context = new QmpCommandContext(server.Machine, server.Registry, server.Options.Version);
    }

    public string MonitorName { get; }

    public async Task RunAsync()
    {
        CancellationToken token = _cts.Token;
        Task writer = WriterLoopAsync(_writerCts.Token);
        s_log.Info("QMP client connected on {Monitor}", MonitorName);
        try
        {
            _outgoing.Writer.TryWrite(_server.Greeting);
            await ReaderLoopAsync(token).ConfigureAwait(false);
            _inBand?.Writer.TryComplete();
            await _inBandWorker.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Session aborted (slow client, server stopping, quit).
        }
        catch (SocketException e)
        {
            s_log.Debug(e, "QMP client on {Monitor} failed", MonitorName);
        }
        finally
        {
            _server.Events.Remove(this);
            _inBand?.Writer.TryComplete();
            _outgoing.Writer.TryComplete();
            _writerCts.CancelAfter(_server.Options.DrainTimeout);
            await writer.ConfigureAwait(false);
            _socket.Dispose();
            _cts.Dispose();
            _writerCts.Dispose();
            s_log.Info("QMP client left {Monitor}", MonitorName);
        }
    }

    /// <summary>Queues an event without waiting; a client whose queue is full is disconnected.</summary>
    public void EnqueueEvent(byte[] message)
    {
        if (!_outgoing.Writer.TryWrite(message))
        {
            s_log.Warn("QMP client on {Monitor} is not reading; disconnecting it", MonitorName);
            Abort();
        }
    }

    private void Abort()
    {
        _outgoing.Writer.TryComplete();
        try
        {
            // Callbacks run on the pool: the caller may be the event hub holding its gate.
            _ = _cts.CancelAsync();
            _ = _writerCts.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    private async Task ReaderLoopAsync(CancellationToken token)
    {
        byte[] buffer = new byte[16 * 1024];
        var inputs = new List<QmpInput>();
        while (true)
        {
            int read = await _socket.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            _parser.Append(buffer.AsSpan(0, read), inputs);
            foreach (QmpInput input in inputs)
            {
                if (!await AcceptAsync(input, token).ConfigureAwait(false))
                {
                    return;
                }
            }

            inputs.Clear();
        }
    }

    /// <summary>Runs or queues one input; false when the session must end (quit).</summary>
    private async ValueTask<bool> AcceptAsync(QmpInput input, CancellationToken token)
    {
        if (_inBand is null)
        {
            return await DispatchAsync(input, token).ConfigureAwait(false);
        }

        if (input.Value is System.Text.Json.Nodes.JsonObject request && request.ContainsKey("exec-oob") && !request.ContainsKey("execute"))
        {
            return await DispatchAsync(input, token).ConfigureAwait(false);
        }

        await _inBand.Writer.WriteAsync(input, token).ConfigureAwait(false);
        return !_inBandWorker.IsCompleted;
    }

    private void StartInBandWorker(CancellationToken token)
    {
        _inBand = Channel.CreateBounded<QmpInput>(new BoundedChannelOptions(_server.Options.MaxQueuedCommands) { SingleReader = true });
        _inBandWorker = Task.Run(
            async () =>
            {
                await foreach (QmpInput input in _inBand.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    if (!await DispatchAsync(input, token).ConfigureAwait(false))
                    {
                        _inBand.Writer.TryComplete();
                        await _cts.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
            },
            token);
    }

    private async Task WriterLoopAsync(CancellationToken token)
    {
        try
        {
            await foreach (byte[] message in _outgoing.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await _socket.SendAsync(message, SocketFlags.None, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Aborted or drain timeout.
        }
        catch (SocketException e)
        {
            s_log.Debug("QMP client on {Monitor} went away while writing: {Error}", MonitorName, e.SocketErrorCode);
            Abort();
        }
    }
}
