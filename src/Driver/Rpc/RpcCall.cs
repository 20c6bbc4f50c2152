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

    /// <summary>An OK reply whose body is one int (remote's int and boolean-as-int returns).</summary>
    public PacketBuffer ReplyInt(int value)
    {
        PacketBuffer reply = Reply(out XdrWriter body);
        body.WriteInt32(value);
        return reply;
    }

    /// <summary>An OK reply whose body is one unsigned hyper.</summary>
    public PacketBuffer ReplyUInt64(ulong value)
    {
        PacketBuffer reply = Reply(out XdrWriter body);
        body.WriteUInt64(value);
        return reply;
    }

    /// <summary>An OK reply whose body is one remote_nonnull_string.</summary>
    public PacketBuffer ReplyString(string value)
    {
        PacketBuffer reply = Reply(out XdrWriter body);
        body.WriteString(value);
        return reply;
    }

    /// <summary>A procedure without arguments: checks that none came.</summary>
    public void NoArgs() => Reader().EnsureEnd();
}
