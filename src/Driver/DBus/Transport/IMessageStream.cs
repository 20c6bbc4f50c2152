using Kvm.DBus.Protocol;

namespace Kvm.DBus.Transport;

/// <summary>
/// A framed, authenticated message transport: the seam between a connection and a socket, so tests can pair
/// two connections in memory. Sends may come from several threads; receives from one reader.
/// </summary>
public interface IMessageStream : IDisposable
{
    /// <summary>True when descriptors (type h) can be passed.</summary>
    bool SupportsUnixFds { get; }

    ValueTask SendAsync(MessageBuffer message, CancellationToken cancellationToken);

    /// <summary>The next message, or null when the peer closed the stream.</summary>
    ValueTask<Message?> ReceiveAsync(CancellationToken cancellationToken);
}
