namespace Kvm.Driver.Rpc;

/// <summary>A client's outgoing side as streams see it (<see cref="RpcConnection"/>).</summary>
internal interface IRpcPacketSink
{
    int Id { get; }

    /// <summary>Queues a packet; <paramref name="sent"/> completes once it is on the socket (cancelled if it never gets there).</summary>
    bool TrySend(ReadOnlyMemory<byte> packet, TaskCompletionSource? sent);

    /// <summary>Disconnects the client (a protocol violation).</summary>
    void Close(string reason);
}
