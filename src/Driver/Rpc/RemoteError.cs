using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// remote_error (virNetMessageError): the body of a reply whose status is ERROR. Clients show <see cref="Message"/>
/// ("error: " + message in virsh); code and domain are libvirt's numbers.
/// </summary>
public sealed record RemoteError(VirErrorCode Code, VirErrorDomain Domain, string Message)
{
    /// <summary>VIR_ERR_ERROR: every error kvmd sends is of this level.</summary>
    public const int LevelError = 2;

    /// <summary>The driver core's failure as virtqemud would report it.</summary>
    public static RemoteError From(DomainOperationException e) => new(e.Code, e.FromDomainConf ? VirErrorDomain.Domain : DomainOf(e.Code), e.Message);

    /// <summary>VIR_ERR_NO_SUPPORT for a known procedure kvmd does not implement (virReportUnsupportedError).</summary>
    public static RemoteError NotSupported(string api) =>
        new(VirErrorCode.NoSupport, VirErrorDomain.Domain, "this function is not supported by the connection driver: " + api);

    /// <summary>virCheckReadOnlyGoto's error, for a mutating call on a read-only connection.</summary>
    public static RemoteError ReadOnly(string api) =>
        new(VirErrorCode.OperationDenied, VirErrorDomain.Domain, "operation forbidden: read only access prevents " + api);

    /// <summary>VIR_ERR_RPC: an RPC-level failure (unknown procedure, undecodable payload, bad header).</summary>
    public static RemoteError Rpc(string message) => new(VirErrorCode.Rpc, VirErrorDomain.Rpc, message);

    public void Write(ref XdrWriter writer)
    {
        writer.WriteInt32((int)Code);
        writer.WriteInt32((int)Domain);
        writer.WriteOptionalString(Message);
        writer.WriteInt32(LevelError);
        writer.WriteBool(false); // dom: unused
        writer.WriteOptionalString(null); // str1..3: kvmd's messages are complete in Message
        writer.WriteOptionalString(null);
        writer.WriteOptionalString(null);
        writer.WriteInt32(0); // int1, int2
        writer.WriteInt32(0);
        writer.WriteBool(false); // net: unused
    }

    /// <summary>The error reply to <paramref name="call"/>.</summary>
    public PacketBuffer ToReply(RpcHeader call)
    {
        PacketBuffer packet = PacketBuffer.Start(call.ReplyHeader(RpcStatus.Error), out XdrWriter writer);
        Write(ref writer);
        return packet;
    }

    private static VirErrorDomain DomainOf(VirErrorCode code) => code switch
    {
        VirErrorCode.NoSupport or VirErrorCode.OperationDenied or VirErrorCode.XmlError or VirErrorCode.ConfigUnsupported => VirErrorDomain.Domain,
        VirErrorCode.Rpc => VirErrorDomain.Rpc,
        _ => VirErrorDomain.Qemu,
    };
}
