namespace Kvm.Driver.Networks;

/// <summary>What the table answers without changing anything: listings, lookups, XML and DHCP leases (under <c>_gate</c> only).</summary>
public sealed partial class NetworkManager
{
    public IReadOnlyList<NetworkSnapshot> List()
    {
        lock (_gate)
        {
            return _networks.OrderBy(n => n.Def.Name, StringComparer.Ordinal).Select(Snapshot).ToArray();
        }
    }

    public NetworkSnapshot LookupByName(string name)
    {
        lock (_gate)
        {
            return Snapshot(_networks.FirstOrDefault(n => n.Def.Name == name) ?? throw NetworkErrors.NoNetworkByName(name));
        }
    }

    public NetworkSnapshot LookupByUuid(Guid uuid)
    {
        lock (_gate)
        {
            return Snapshot(Find(uuid));
        }
    }

    public bool TryGet(Guid uuid, out NetworkSnapshot network)
    {
        lock (_gate)
        {
            Entry? entry = _networks.FirstOrDefault(n => n.Def.Uuid == uuid);
            network = entry is null ? null! : Snapshot(entry);
            return entry is not null;
        }
    }

    /// <summary>virNetworkGetXMLDesc: the running definition of an active network, else (or with VIR_NETWORK_XML_INACTIVE) the persistent one.</summary>
    public string GetXmlDesc(Guid uuid, uint flags)
    {
        Api.LibvirtErrors.CheckFlags(flags, XmlInactive, "networkGetXMLDesc");
        lock (_gate)
        {
            Entry entry = Find(uuid);
            bool inactive = (flags & XmlInactive) != 0 && entry.Persistent;
            return NetworkXml.Format(inactive ? entry.Def : entry.Live ?? entry.Def);
        }
    }

    /// <summary>virNetworkGetDHCPLeases: dnsmasq's leases of a running network, all or those of one MAC (null).</summary>
    public IReadOnlyList<DhcpLease> GetDhcpLeases(Guid uuid, string? mac, uint flags)
    {
        Api.LibvirtErrors.CheckFlags(flags, 0, "networkGetDHCPLeases");
        NetworkDef? live;
        lock (_gate)
        {
            live = Find(uuid).Live;
        }
        if (live is null)
        {
            return [];
        }
        return _realiser.ReadLeases(live).Where(l => mac is null || string.Equals(l.Mac, mac, StringComparison.OrdinalIgnoreCase)).ToArray();
    }

    /// <summary>dnsmasq's leases of a running network by name, for a domain's interface addresses; empty when it is missing or not running.</summary>
    public IReadOnlyList<DhcpLease> LeasesOf(string name)
    {
        NetworkDef? live;
        lock (_gate)
        {
            live = _networks.FirstOrDefault(n => n.Def.Name == name)?.Live;
        }
        return live is null ? [] : _realiser.ReadLeases(live);
    }

    /// <summary>The bridge of a running network, for a domain's &lt;interface type='network'&gt; (libvirt's errors otherwise).</summary>
    public string BridgeOf(string name)
    {
        lock (_gate)
        {
            Entry entry = _networks.FirstOrDefault(n => n.Def.Name == name) ?? throw NetworkErrors.NoNetworkByName(name);
            return entry.Live?.BridgeName ?? throw NetworkErrors.NotActive(name);
        }
    }
}
