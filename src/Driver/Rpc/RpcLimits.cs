namespace Kvm.Driver.Rpc;

/// <summary>libvirt's wire limits (src/rpc/virnetprotocol.x, src/remote/remote_protocol.x), checked before allocating.</summary>
public static class RpcLimits
{
    /// <summary>VIR_NET_MESSAGE_MAX: a whole packet, its length word included.</summary>
    public const int MaxPacket = 33_554_432;

    /// <summary>VIR_NET_MESSAGE_LEN_MAX: the length word.</summary>
    public const int LengthWord = 4;

    /// <summary>VIR_NET_MESSAGE_HEADER_MAX: the serialised header.</summary>
    public const int Header = 24;

    /// <summary>VIR_NET_MESSAGE_STRING_MAX and REMOTE_STRING_MAX: one string.</summary>
    public const int MaxString = 4_194_304;

    /// <summary>REMOTE_DOMAIN_LIST_MAX: domains (or ids, or names) in one list reply.</summary>
    public const int MaxDomainList = 16_384;

    /// <summary>REMOTE_DOMAIN_INTERFACE_MAX: interfaces in one virDomainInterfaceAddresses reply.</summary>
    public const int MaxDomainInterfaces = 2048;

    /// <summary>REMOTE_DOMAIN_IP_ADDR_MAX: addresses of one interface.</summary>
    public const int MaxDomainIpAddresses = 2048;

    /// <summary>REMOTE_AUTH_TYPE_LIST_MAX.</summary>
    public const int MaxAuthTypes = 20;

    /// <summary>VIR_UUID_BUFLEN: a UUID's raw bytes.</summary>
    public const int UuidLength = 16;

    /// <summary>The smallest packet: the length word and the header.</summary>
    public const int MinPacket = LengthWord + Header;
}
