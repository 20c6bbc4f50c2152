using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// A client's open streams, keyed by the procedure and serial of the call that opened each (as the daemon's stream
/// filter matches them). Packets for a stream the client does not have are dropped, as libvirt drops data that
/// arrives after a stream closed; every stream is aborted when the client goes.
/// </summary>
internal sealed class RpcStreams
{
    /// <summary>Streams one client may hold at once.</summary>
    public const int MaxStreams = 32;

    private readonly Lock _gate = new();
    private readonly Dictionary<(int Procedure, uint Serial), RpcStream> _streams = [];
    private bool _closed;

    public RpcStreams(IRpcPacketSink sink)
    {
        Sink = sink;
    }

    public IRpcPacketSink Sink { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Opens a stream for the call <paramref name="call"/>; its data waits for <see cref="Activate"/> (the call's reply).</summary>
    /// <exception cref="RemoteErrorException">The client has too many streams, one for this serial already, or is gone.</exception>
    public RpcStream Add(RpcHeader call, IRpcStreamHandler handler)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw RemoteErrorException.Internal("client connection is closing");
            }
            if (_streams.Count >= MaxStreams)
            {
                throw new RemoteErrorException(new RemoteError(VirErrorCode.OperationFailed, VirErrorDomain.Rpc, $"operation failed: too many streams open (at most {MaxStreams})"));
            }
            if (_streams.ContainsKey((call.Procedure, call.Serial)))
            {
                throw RemoteErrorException.Internal($"a stream for serial {call.Serial} is already open");
            }
            var stream = new RpcStream(this, call.Procedure, call.Serial, handler);
            _streams[(call.Procedure, call.Serial)] = stream;
            return stream;
        }
    }

    /// <summary>The reply to <paramref name="call"/> is queued: a stream it opened may send.</summary>
    public void Activate(RpcHeader call)
    {
        if (Find(call.Procedure, call.Serial) is { } stream)
        {
            stream.Activate();
        }
    }

    /// <summary>Hands a STREAM or STREAM_HOLE packet to its stream; one for no stream is dropped (libvirt's "Ignoring unexpected stream data").</summary>
    public async ValueTask DeliverAsync(RpcHeader header, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (header.Program != RpcPrograms.Remote || header.Version != RpcPrograms.RemoteVersion || Find(header.Procedure, header.Serial) is not { } stream)
        {
            RpcLog.UnexpectedStreamData(Sink.Id, header.Procedure, header.Serial, (int)header.Status);
            return;
        }
        await stream.DeliverAsync(header, body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The client is gone: abort every stream (their consoles and files are released).</summary>
    public async ValueTask CloseAllAsync()
    {
        RpcStream[] open;
        lock (_gate)
        {
            _closed = true;
            open = [.. _streams.Values];
        }
        foreach (RpcStream stream in open)
        {
            await stream.AbortAsync().ConfigureAwait(false);
        }
    }

    internal void Remove(RpcStream stream)
    {
        lock (_gate)
        {
            if (_streams.TryGetValue((stream.Procedure, stream.Serial), out RpcStream? current) && current == stream)
            {
                _streams.Remove((stream.Procedure, stream.Serial));
            }
        }
    }

    private RpcStream? Find(int procedure, uint serial)
    {
        lock (_gate)
        {
            return _streams.GetValueOrDefault((procedure, serial));
        }
    }
}
