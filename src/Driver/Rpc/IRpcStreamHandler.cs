namespace Kvm.Driver.Rpc;

/// <summary>What a stream is connected to on kvmd's side (a console pty, a volume): it takes the client's data and end.</summary>
internal interface IRpcStreamHandler
{
    /// <summary>The client's data (a STREAM packet with status CONTINUE); waits while the other side is full.</summary>
    /// <exception cref="IOException">The other side failed; the client gets the error and the stream closes.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>The client finished the stream (status OK): complete the other side.</summary>
    /// <exception cref="IOException">Completing failed; the client gets the error instead of the confirmation.</exception>
    ValueTask FinishAsync(CancellationToken cancellationToken);

    /// <summary>The stream ended without a finish: the client aborted it, went away, or kvmd is stopping.</summary>
    ValueTask AbortAsync();
}
