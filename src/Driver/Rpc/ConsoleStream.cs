using Kvm.Driver.Consoles;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// A stream connected to a domain's console session: the guest's output goes out as stream data, the client's data
/// is typed into the guest. A hangup (the domain stopped) ends the data as the daemon does (an empty CONTINUE, then
/// the client finishes); an eviction by a forced open fails the stream as libvirt's aborted fd stream does.
/// </summary>
internal sealed class ConsoleStream : IRpcStreamHandler
{
    private readonly ConsoleSession _session;
    private RpcStream? _stream;

    public ConsoleStream(ConsoleSession session)
    {
        _session = session;
    }

    /// <summary>daemonStreamEvent's error for a stream whose other end was aborted (VIR_ERR_RPC, VIR_FROM_STREAMS).</summary>
    public static RemoteError Aborted { get; } = new(VirErrorCode.Rpc, VirErrorDomain.Streams, "stream had I/O failure");

    public void Start(RpcStream stream)
    {
        _stream = stream;
        _session.Start(stream.SendAsync, OnEnded);
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _session.WriteAsync(data, cancellationToken);

    public ValueTask FinishAsync(CancellationToken cancellationToken) => _session.DisposeAsync();

    public ValueTask AbortAsync() => _session.DisposeAsync();

    private void OnEnded(ConsoleEnd end)
    {
        switch (end)
        {
            case ConsoleEnd.Hangup:
                _ = _stream!.SendEndAsync();
                break;
            case ConsoleEnd.Evicted:
                _stream!.Fail(Aborted);
                _ = _session.DisposeAsync();
                break;
        }
    }
}
