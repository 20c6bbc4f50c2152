namespace Kvm.Driver.Rpc;

/// <summary>One CALL packet being answered: its header, its argument bytes and the client it came from.</summary>
internal readonly record struct RpcCall(RpcHeader Header, ReadOnlyMemory<byte> Args, RpcClientState Client)
{
    public RemoteProcedure Procedure => (RemoteProcedure)Header.Procedure;

    public XdrReader Reader() => new(Args.Span);

    /// <summary>An OK reply and a writer positioned for its body.</summary>
    public PacketBuffer Reply(out XdrWriter body) => PacketBuffer.Start(Header.ReplyHeader(RpcStatus.Ok), out body);

    /// <summary>An OK reply without a body (a void procedure).</summary>
    public PacketBuffer Empty() => Reply(out _);

    /// <summary>A procedure without arguments: checks that none came.</summary>
    public void NoArgs() => Reader().EnsureEnd();
}
