using System.Threading.Channels;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// One stream of a client, named by the procedure and serial of the call that opened it (libvirt's
/// daemonClientStream). Outgoing, one data packet is in flight at a time (the next goes once the last is on the
/// socket, as the daemon's tx flag), so a client that does not read holds back its own stream and nothing else.
/// Incoming, at most <see cref="IncomingDepth"/> packets wait for the handler: beyond that the client's read loop
/// waits, which stops reading its socket (libvirt's max_client_requests does the same).
/// </summary>
internal sealed class RpcStream
{
    private const int IncomingDepth = 2;

    private readonly RpcStreams _owner;
    private readonly IRpcStreamHandler _handler;
    private readonly Channel<(RpcHeader Header, ReadOnlyMemory<byte> Body)> _incoming =
        Channel.CreateBounded<(RpcHeader, ReadOnlyMemory<byte>)>(new BoundedChannelOptions(IncomingDepth) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _replySent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;

    public RpcStream(RpcStreams owner, int procedure, uint serial, IRpcStreamHandler handler)
    {
        _owner = owner;
        Procedure = procedure;
        Serial = serial;
        _handler = handler;
        _ = PumpAsync();
    }

    public int Procedure { get; }

    public uint Serial { get; }

    /// <summary>Fires when the stream is closed (finished, aborted, failed or the client gone).</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsClosed => Volatile.Read(ref _closing) != 0;

    /// <summary>
    /// Sends kvmd's data to the client in packets of at most <see cref="StreamPackets.MaxData"/> bytes, each after the
    /// last is on the socket and never before the reply that opened the stream; false when the stream or client is gone.
    /// </summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _replySent.Task.WaitAsync(both.Token).ConfigureAwait(false);
            do
            {
                ReadOnlyMemory<byte> chunk = data[..Math.Min(data.Length, StreamPackets.MaxData)];
                data = data[chunk.Length..];
                var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (IsClosed || !_owner.Sink.TrySend(StreamPackets.Data(Procedure, Serial, chunk.Span).ToPacket(), sent))
                {
                    return false;
                }
                await sent.Task.WaitAsync(both.Token).ConfigureAwait(false);
            }
            while (!data.IsEmpty);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The end of kvmd's data (an empty CONTINUE, as the daemon sends on EOF or hangup); the client then finishes.</summary>
    public async ValueTask SendEndAsync()
    {
        try
        {
            await _replySent.Task.WaitAsync(_closed.Token).ConfigureAwait(false);
            if (!IsClosed)
            {
                _owner.Sink.TrySend(StreamPackets.Data(Procedure, Serial, []).ToPacket(), null);
            }
        }
        catch (OperationCanceledException)
        {
            // closed first
        }
    }

    /// <summary>kvmd's side failed: the client gets a STREAM ERROR and the stream closes (the handler is not told: it is the caller).</summary>
    public void Fail(RemoteError error)
    {
        if (TryClose())
        {
            _owner.Sink.TrySend(StreamPackets.Error(Procedure, Serial, error).ToPacket(), null);
        }
    }

    /// <summary>The reply that opened the stream is queued: data may follow it.</summary>
    internal void Activate() => _replySent.TrySetResult();

    /// <summary>Takes one of the client's STREAM packets, waiting while <see cref="IncomingDepth"/> are queued.</summary>
    internal async ValueTask DeliverAsync(RpcHeader header, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        try
        {
            await _incoming.Writer.WriteAsync((header, body), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // closed meanwhile: dropped, as libvirt drops data for streams it no longer has
        }
    }

    /// <summary>The client went away or kvmd is stopping.</summary>
    internal async ValueTask AbortAsync()
    {
        if (TryClose())
        {
            await _handler.AbortAsync().ConfigureAwait(false);
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach ((RpcHeader header, ReadOnlyMemory<byte> body) in _incoming.Reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                if (!await HandleAsync(header, body).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // closed
        }
    }

    /// <summary>What the daemon does with each incoming packet (daemonStreamHandleWrite); false once the stream is over.</summary>
    private async ValueTask<bool> HandleAsync(RpcHeader header, ReadOnlyMemory<byte> body)
    {
        if (header.Type == RpcMessageType.StreamHole)
        {
            // kvmd's streams are not sparse: libvirt refuses the hole and drops the client.
            await AbortAsync().ConfigureAwait(false);
            _owner.Sink.Close("Unexpected stream hole");
            return false;
        }
        switch (header.Status)
        {
            case RpcStatus.Continue:
                try
                {
                    await _handler.WriteAsync(body, _closed.Token).ConfigureAwait(false);
                    return true;
                }
                catch (IOException e)
                {
                    await FailWithReplyAsync(new RemoteError(VirErrorCode.SystemError, VirErrorDomain.Streams, e.Message)).ConfigureAwait(false);
                    return false;
                }
            case RpcStatus.Ok:
                if (!TryClose())
                {
                    return false;
                }
                try
                {
                    await _handler.FinishAsync(CancellationToken.None).ConfigureAwait(false);
                    _owner.Sink.TrySend(StreamPackets.Finished(Procedure, Serial).ToPacket(), null);
                }
                catch (IOException e)
                {
                    _owner.Sink.TrySend(StreamPackets.ReplyError(Procedure, Serial, new RemoteError(VirErrorCode.SystemError, VirErrorDomain.Streams, e.Message)).ToPacket(), null);
                }
                return false;
            case RpcStatus.Error:
                if (TryClose())
                {
                    await _handler.AbortAsync().ConfigureAwait(false);
                    _owner.Sink.TrySend(StreamPackets.Finished(Procedure, Serial).ToPacket(), null);
                }
                return false;
            default:
                await FailWithReplyAsync(RemoteError.Rpc($"stream aborted with unexpected status {(int)header.Status}")).ConfigureAwait(false);
                return false;
        }
    }

    private async ValueTask FailWithReplyAsync(RemoteError error)
    {
        if (TryClose())
        {
            await _handler.AbortAsync().ConfigureAwait(false);
            _owner.Sink.TrySend(StreamPackets.ReplyError(Procedure, Serial, error).ToPacket(), null);
        }
    }

    /// <summary>Marks the stream closed (once), forgets it and stops its waits.</summary>
    private bool TryClose()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return false;
        }
        _owner.Remove(this);
        _incoming.Writer.TryComplete();
        _closed.Cancel();
        return true;
    }
}
