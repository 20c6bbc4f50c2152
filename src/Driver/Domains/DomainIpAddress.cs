namespace Kvm.Driver.Domains;

/// <summary>virDomainIPAddress: type 0 IPv4 / 1 IPv6 (virIPAddrType), the address, and its prefix (0 when unknown).</summary>
public readonly record struct DomainIpAddress(int Type, string Address, uint Prefix);
