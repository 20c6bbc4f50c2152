using System.Threading.Channels;
using Kvm.DBus.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Kvm.DBus.Transport;

/// <summary>Two streams joined in memory; each message's bytes are framed and parsed like those off a socket.</summary>
public sealed class InMemoryMessageStream : IMessageStream
{
    private readonly Channel<(byte[] Data, SafeFileHandle[] Handles)> _incoming;
    private readonly Channel<(byte[] Data, SafeFileHandle[] Handles)> _outgoing;

    private InMemoryMessageStream(Channel<(byte[], SafeFileHandle[])> incoming, Channel<(byte[], SafeFileHandle[])> outgoing)
    {
        _incoming = incoming;
        _outgoing = outgoing;
    }

    public bool SupportsUnixFds => true;

    public static (InMemoryMessageStream A, InMemoryMessageStream B) CreatePair()
    {
        var aToB = Channel.CreateUnbounded<(byte[], SafeFileHandle[])>();
        var bToA = Channel.CreateUnbounded<(byte[], SafeFileHandle[])>();
        return (new InMemoryMessageStream(bToA, aToB), new InMemoryMessageStream(aToB, bToA));
    }

    public ValueTask SendAsync(MessageBuffer message, CancellationToken cancellationToken)
    {
        // Descriptors are shared, not duplicated: the receiving side gets non-owning handles.
        SafeFileHandle[] handles = message.Handles.Select(h => new SafeFileHandle(h.DangerousGetHandle(), ownsHandle: false)).ToArray();
        if (!_outgoing.Writer.TryWrite((message.Data.ToArray(), handles)))
        {
            ThrowHelper.ThrowDisconnected(null);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<Message?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!await _incoming.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)
            || !_incoming.Reader.TryRead(out (byte[] Data, SafeFileHandle[] Handles) item))
        {
            return null;
        }
        if (!Message.TryGetFrameLength(item.Data, out int length) || length != item.Data.Length)
        {
            ThrowHelper.ThrowRead("Message length does not match its header", 4);
        }
        return Message.Parse(item.Data, item.Handles);
    }

    /// <summary>Closes both directions: the peer's reads end after what was already sent.</summary>
    public void Dispose()
    {
        _outgoing.Writer.TryComplete();
        _incoming.Writer.TryComplete();
    }
}
