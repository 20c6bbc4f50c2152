namespace Kvm.Driver.Networks;

/// <summary>virNetworkDHCPLease: one lease of a network's DHCP server (expiry in seconds since the epoch, type 0 IPv4 / 1 IPv6).</summary>
public sealed record DhcpLease(string Interface, long ExpiryTime, int Type, string Mac, string Iaid, string IpAddress, uint Prefix, string Hostname, string ClientId);
