namespace Kvm.Driver.Networks;

/// <summary>
/// What makes a network real on the host (<see cref="LinuxNetworkRealiser"/>: bridge, addresses, dnsmasq, nftables).
/// <see cref="NetworkManager"/> decides; this only acts. Every method fails with a DomainOperationException and leaves
/// nothing of a half-done start behind.
/// </summary>
public interface INetworkRealiser
{
    /// <summary>True when a network interface of that name exists (bridge names in use on the host are skipped).</summary>
    bool LinkExists(string name);

    /// <summary>libvirt's networkCheckRouteCollision: fails when a route of the host already covers one of the network's subnets.</summary>
    void CheckRoutes(NetworkDef def);

    void Start(NetworkDef def);

    /// <summary>Removes everything <see cref="Start"/> made; what is already gone is not an error.</summary>
    void Stop(NetworkDef def);

    /// <summary>Rewrites the DHCP hosts of a running network and tells dnsmasq (virNetworkUpdate on a live network).</summary>
    void RefreshHosts(NetworkDef def);

    /// <summary>The leases dnsmasq holds for a running network (none when it has no lease file yet).</summary>
    IReadOnlyList<DhcpLease> ReadLeases(NetworkDef def);
}
