using System.Net;

namespace Kvm.DomainXml.Model;

/// <summary>
/// <c>&lt;ip address family prefix&gt;</c> directly under a user-mode <c>&lt;interface&gt;</c>: the address the guest
/// side is given (passt hands it out by DHCP, DHCPv6 and NDP), with its prefix length (0 when absent).
/// </summary>
public sealed record GuestIpDef
{
    public required IPAddress Address { get; init; }

    public uint Prefix { get; init; }
}
