namespace Kvm.Driver.Rpc;

/// <summary>virNetMessageHeader: the 24 bytes after a packet's length word.</summary>
public readonly record struct RpcHeader(uint Program, uint Version, int Procedure, RpcMessageType Type, uint Serial, RpcStatus Status)
{
    /// <summary>Reads the six words; the type and status are kept as sent (unknown values are the dispatcher's to refuse).</summary>
    public static RpcHeader Read(ref XdrReader reader) => new(
        reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadInt32(), (RpcMessageType)reader.ReadInt32(), reader.ReadUInt32(), (RpcStatus)reader.ReadInt32());

    public void Write(ref XdrWriter writer)
    {
        writer.WriteUInt32(Program);
        writer.WriteUInt32(Version);
        writer.WriteInt32(Procedure);
        writer.WriteInt32((int)Type);
        writer.WriteUInt32(Serial);
        writer.WriteInt32((int)Status);
    }

    /// <summary>The header of the answer to this call: same program, version, procedure and serial.</summary>
    public RpcHeader ReplyHeader(RpcStatus status) => this with { Type = RpcMessageType.Reply, Status = status };
}
