namespace Kvm.Driver.Rpc;

/// <summary>
/// The packets of a stream (remote_daemon_stream.c, virnetserverprogram.c): type STREAM with the call's procedure
/// and serial; status CONTINUE carries raw data (no XDR length, empty = end of the data), OK confirms the client's
/// finish or abort, ERROR carries a remote_error. A failure to handle the client's packet is a REPLY with ERROR.
/// </summary>
public static class StreamPackets
{
    /// <summary>VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX: the data the daemon puts in one STREAM packet.</summary>
    public const int MaxData = 262_120;

    public static PacketBuffer Data(int procedure, uint serial, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxData)
        {
            ThrowHelper.ThrowTooLong("stream data", data.Length, MaxData);
        }
        PacketBuffer packet = PacketBuffer.Start(Header(procedure, serial, RpcMessageType.Stream, RpcStatus.Continue), out _);
        data.CopyTo(packet.GetSpan(data.Length));
        packet.Advance(data.Length);
        return packet;
    }

    /// <summary>The confirmation of the client's finish (or abort): OK with no data.</summary>
    public static PacketBuffer Finished(int procedure, uint serial) =>
        PacketBuffer.Start(Header(procedure, serial, RpcMessageType.Stream, RpcStatus.Ok), out _);

    /// <summary>The stream failed on kvmd's side: ERROR with a remote_error.</summary>
    public static PacketBuffer Error(int procedure, uint serial, RemoteError error)
    {
        PacketBuffer packet = PacketBuffer.Start(Header(procedure, serial, RpcMessageType.Stream, RpcStatus.Error), out XdrWriter body);
        error.Write(ref body);
        return packet;
    }

    /// <summary>A client's stream packet could not be handled (virNetServerProgramSendReplyError): REPLY with ERROR.</summary>
    public static PacketBuffer ReplyError(int procedure, uint serial, RemoteError error)
    {
        PacketBuffer packet = PacketBuffer.Start(Header(procedure, serial, RpcMessageType.Reply, RpcStatus.Error), out XdrWriter body);
        error.Write(ref body);
        return packet;
    }

    private static RpcHeader Header(int procedure, uint serial, RpcMessageType type, RpcStatus status) =>
        new(RpcPrograms.Remote, RpcPrograms.RemoteVersion, procedure, type, serial, status);
}
