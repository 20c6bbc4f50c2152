namespace Kvm.Driver.Rpc;

/// <summary>virNetMessageType (virnetprotocol.x).</summary>
public enum RpcMessageType
{
    Call = 0,
    Reply = 1,
    Message = 2,
    Stream = 3,
    CallWithFds = 4,
    ReplyWithFds = 5,
    StreamHole = 6,
}
