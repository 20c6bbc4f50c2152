using System.Net.Sockets;
using System.Threading.Channels;

namespace Kvm.Driver.Rpc;

/// <summary>
/// One client on a socket: a read loop that frames packets (answering keepalive pings itself and refusing bad
/// headers as libvirt does), a call loop that answers calls through the dispatcher (a few at once), and a write loop fed by a
/// bounded queue. A client whose queue fills up (it does not read) is cut off; nothing it does holds other clients back.
/// </summary>
internal sealed class RpcConnection : IRpcPacketSink
{
    private const int InitialBuffer = 64 * 1024;

    private readonly Socket _socket;
    private readonly RemoteDispatcher _dispatcher;
    private readonly Channel<(ReadOnlyMemory<byte> Packet, TaskCompletionSource? Sent)> _outgoing;
    private readonly Channel<RpcCall> _calls;
    private readonly CancellationTokenSource _closing = new();
    private readonly int _maxQueued;
    private readonly int _maxPendingCalls;
    private string? _closeReason;
    private volatile bool _ended;

    private readonly Action<RpcConnection, RpcCall, Exception> _callFailed;

    /// <param name="callFailed">Told of a call that failed with an unexpected exception (a defect); the client gets an internal error.</param>
    public RpcConnection(int id, Socket socket, RpcClientState state, RemoteDispatcher dispatcher, RpcServerOptions options,
        Action<RpcConnection, RpcCall, Exception> callFailed)
    {
        _callFailed = callFailed;
        Id = id;
        _socket = socket;
        State = state;
        _dispatcher = dispatcher;
        _maxQueued = options.MaxQueuedPackets;
        _maxPendingCalls = options.MaxPendingCalls;
        _outgoing = Channel.CreateBounded<(ReadOnlyMemory<byte>, TaskCompletionSource?)>(new BoundedChannelOptions(options.MaxQueuedPackets) { SingleReader = true, AllowSynchronousContinuations = true });
        _calls = Channel.CreateBounded<RpcCall>(new BoundedChannelOptions(options.MaxPendingCalls) { SingleReader = true, SingleWriter = true });
        Streams = new RpcStreams(this);
        state.Streams = Streams;
    }

    /// <summary>The client's open streams (consoles, volume transfers).</summary>
    public RpcStreams Streams { get; }

    public int Id { get; }

    public RpcClientState State { get; }

    /// <summary>Serves the client until it goes, misbehaves or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration registration = cancellationToken.Register(() => Close("kvmd is stopping"));
        Task writer = WriteLoopAsync();
        Task caller = CallLoopAsync();
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
            _calls.Writer.TryComplete();
            await caller.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            Close(e.Message);
        }
        finally
        {
            _calls.Writer.TryComplete();
            await caller.ConfigureAwait(false);
            await Streams.CloseAllAsync().ConfigureAwait(false);
            _ended = true;
            _outgoing.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            Close("end of stream");
            _socket.Dispose();
            _closing.Dispose();
            RpcLog.Disconnected(Id, _closeReason ?? "end of stream");
        }
    }

    /// <summary>Queues a packet without waiting; a full queue means the client does not read, and it is cut off.</summary>
    public bool TrySend(ReadOnlyMemory<byte> packet) => TrySend(packet, null);

    /// <inheritdoc cref="TrySend(ReadOnlyMemory{byte})"/>
    /// <param name="sent">Completed once the packet is on the socket; cancelled when the client goes first.</param>
    public bool TrySend(ReadOnlyMemory<byte> packet, TaskCompletionSource? sent)
    {
        if (_outgoing.Writer.TryWrite((packet, sent)))
        {
            return true;
        }
        if (!_ended && !_closing.IsCancellationRequested)
        {
            RpcLog.NotReading(Id, _maxQueued);
            Close("not reading");
        }
        return false;
    }

    public void Close(string reason)
    {
        _closeReason ??= reason;
        try
        {
            _closing.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already closed
        }
    }

    private async Task ReadLoopAsync()
    {
        byte[] word = new byte[RpcLimits.LengthWord];
        CancellationToken closing = _closing.Token;
        while (await ReadExactlyAsync(word, closing).ConfigureAwait(false))
        {
            if (!PacketFraming.TryReadLength(word, out int remaining, out string? error))
            {
                RpcLog.BadPacket(Id, error!);
                Close(error!);
                return;
            }
            byte[]? packet = await ReadPacketAsync(remaining, closing).ConfigureAwait(false);
            if (packet is null)
            {
                return;
            }
            var reader = new XdrReader(packet);
            RpcHeader header = RpcHeader.Read(ref reader);
            if (!await HandlePacketAsync(header, packet.AsMemory(RpcLimits.Header), closing).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>What libvirt's server does with each kind of packet; false ends the connection.</summary>
    private async ValueTask<bool> HandlePacketAsync(RpcHeader header, ReadOnlyMemory<byte> body, CancellationToken closing)
    {
        if (header.Program == RpcPrograms.Keepalive && header.Version == RpcPrograms.KeepaliveVersion && header.Type == RpcMessageType.Message)
        {
            // virKeepAliveCheckMessage: a PING is answered, a PONG and anything else of the program's MESSAGEs ignored.
            return header.Procedure != RpcPrograms.KeepalivePing
                || TrySend(PacketBuffer.Start(header with { Procedure = RpcPrograms.KeepalivePong, Serial = 0, Status = RpcStatus.Ok }, out _).ToPacket());
        }
        if (header.Type is RpcMessageType.Stream or RpcMessageType.StreamHole)
        {
            await Streams.DeliverAsync(header, body, closing).ConfigureAwait(false);
            return !_closing.IsCancellationRequested;
        }
        if (header.Type is not (RpcMessageType.Call or RpcMessageType.CallWithFds))
        {
            return true; // libvirt drops stray replies and events
        }
        if (header.Program != RpcPrograms.Remote || header.Version != RpcPrograms.RemoteVersion)
        {
            // virNetServerProgramUnknownError: a program is found by number and version together (the keepalive program takes no calls), printed with %d.
            return TrySend(RemoteError.Rpc($"Cannot find program {(int)header.Program} version {(int)header.Version}").ToReply(header).ToPacket());
        }
        if (header.Type == RpcMessageType.CallWithFds)
        {
            return TrySend(RemoteError.Rpc("Unexpected message type 4").ToReply(header).ToPacket()); // kvmd takes no file descriptors
        }
        if (header.Status != RpcStatus.Ok)
        {
            return TrySend(RemoteError.Rpc($"Unexpected message status {(uint)header.Status}").ToReply(header).ToPacket());
        }
        await _calls.Writer.WriteAsync(new RpcCall(header, body, State), closing).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Answers calls as they come, up to <see cref="RpcServerOptions.MaxPendingCalls"/> at once (libvirt's
    /// max_client_requests): a slow start does not hold up the same client's list; replies go out as each finishes,
    /// matched by serial as libvirt's client expects.
    /// </summary>
    private async Task CallLoopAsync()
    {
        using var slots = new SemaphoreSlim(_maxPendingCalls);
        var running = new List<Task>();
        await foreach (RpcCall call in _calls.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_closing.IsCancellationRequested)
            {
                continue;
            }
            await slots.WaitAsync().ConfigureAwait(false);
            running.RemoveAll(t => t.IsCompleted);
            running.Add(AnswerAsync(call, slots));
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task AnswerAsync(RpcCall call, SemaphoreSlim slots)
    {
        try
        {
            RpcLog.Call(Id, call.Header.Procedure, call.Header.Serial);
            PacketBuffer reply;
            try
            {
                reply = await _dispatcher.DispatchAsync(call).ConfigureAwait(false);
            }
            catch (XdrException e)
            {
                reply = RemoteError.Rpc(e.Message).ToReply(call.Header); // a reply over libvirt's limits
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A defect, not the client's fault: reported (Error) and counted by the server; the client still gets its answer.
                _callFailed(this, call, e);
                reply = new RemoteError(Domains.VirErrorCode.InternalError, VirErrorDomain.Rpc, "internal error: " + e.Message).ToReply(call.Header);
            }
            TrySend(reply.ToPacket());
            Streams.Activate(call.Header); // a stream the call opened sends only after its reply
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach ((ReadOnlyMemory<byte> packet, TaskCompletionSource? sent) in _outgoing.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (_closing.IsCancellationRequested)
                {
                    sent?.TrySetCanceled();
                    break;
                }
                await _socket.SendAsync(packet, SocketFlags.None, _closing.Token).ConfigureAwait(false);
                sent?.TrySetResult();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close(e.Message);
        }
        finally
        {
            while (_outgoing.Reader.TryRead(out (ReadOnlyMemory<byte> Packet, TaskCompletionSource? Sent) left))
            {
                left.Sent?.TrySetCanceled(); // a stream waiting for its packet learns the client is gone
            }
        }
    }

    /// <summary>Reads the rest of a packet, growing the buffer only as bytes arrive (a huge announced length costs nothing until sent).</summary>
    private async ValueTask<byte[]?> ReadPacketAsync(int length, CancellationToken closing)
    {
        byte[] buffer = new byte[Math.Min(length, InitialBuffer)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, (long)buffer.Length * 2));
            }
            int read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, closing).ConfigureAwait(false);
            if (read == 0)
            {
                Close("end of stream inside a packet");
                return null;
            }
            filled += read;
        }
        return buffer;
    }

    private async ValueTask<bool> ReadExactlyAsync(byte[] buffer, CancellationToken closing)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, closing).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }
            filled += read;
        }
        return true;
    }
}
