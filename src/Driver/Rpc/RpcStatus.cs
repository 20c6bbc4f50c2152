namespace Kvm.Driver.Rpc;

/// <summary>virNetMessageStatus (virnetprotocol.x).</summary>
public enum RpcStatus
{
    Ok = 0,
    Error = 1,
    Continue = 2,
}
