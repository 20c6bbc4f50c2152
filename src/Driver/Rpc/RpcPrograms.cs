namespace Kvm.Driver.Rpc;

/// <summary>The RPC programs kvmd serves and their versions.</summary>
public static class RpcPrograms
{
    /// <summary>REMOTE_PROGRAM (remote_protocol.x).</summary>
    public const uint Remote = 0x20008086;

    /// <summary>REMOTE_PROTOCOL_VERSION.</summary>
    public const uint RemoteVersion = 1;

    /// <summary>KEEPALIVE_PROGRAM (virkeepaliveprotocol.x): "keep" in ASCII.</summary>
    public const uint Keepalive = 0x6b656570;

    /// <summary>KEEPALIVE_PROTOCOL_VERSION.</summary>
    public const uint KeepaliveVersion = 1;

    /// <summary>KEEPALIVE_PROC_PING.</summary>
    public const int KeepalivePing = 1;

    /// <summary>KEEPALIVE_PROC_PONG.</summary>
    public const int KeepalivePong = 2;
}
