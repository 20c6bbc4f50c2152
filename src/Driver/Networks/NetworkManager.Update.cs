using Kvm.Driver.Domains;

namespace Kvm.Driver.Networks;

/// <summary>virNetworkUpdate for the section clients use (Cockpit, libvirt-dbus's tests): static DHCP hosts.</summary>
public sealed partial class NetworkManager
{
    private const uint AffectLive = 1, AffectConfig = 2;                           // virNetworkUpdateFlags
    private const uint CommandModify = 1, CommandDelete = 2, CommandAddLast = 3, CommandAddFirst = 4; // virNetworkUpdateCommand
    private const uint SectionIpDhcpHost = 4;                                        // VIR_NETWORK_SECTION_IP_DHCP_HOST

    private static readonly string[] s_sections =
        ["none", "bridge", "domain", "ip", "ip-dhcp-host", "ip-dhcp-range", "forward", "forward-interface", "forward-pf", "portgroup", "dns-host", "dns-txt", "dns-srv"];

    public void Update(Guid uuid, uint command, uint section, int parentIndex, string xml, uint flags)
    {
        Api.LibvirtErrors.CheckFlags(flags, AffectLive | AffectConfig, "networkUpdate");
        lock (_ops)
        lock (_gate)
        {
            Entry entry = Find(uuid);
            bool live = (flags & AffectLive) != 0 || (flags == 0 && entry.Live is not null);
            bool config = (flags & AffectConfig) != 0 || (flags == 0 && entry.Live is null);
            if (live && entry.Live is null)
            {
                throw NetworkErrors.Invalid("network is not running");
            }
            if (config && !entry.Persistent)
            {
                throw NetworkErrors.Invalid("cannot change persistent config of a transient network");
            }
            if (section != SectionIpDhcpHost)
            {
                throw section < s_sections.Length && section > 0
                    ? new DomainOperationException(VirErrorCode.NoSupport, $"this function is not supported by the connection driver: can't update '{s_sections[section]}' section of network '{entry.Def.Name}'")
                    : NetworkErrors.Xml("can't update unrecognized section of network");
            }
            NetworkDef? newConfig = config ? UpdateDhcpHost(entry.Def, command, parentIndex, xml) : null;
            NetworkDef? newLive = live ? UpdateDhcpHost(entry.Live!, command, parentIndex, xml) : null;
            if (newConfig is not null)
            {
                _store.Save(newConfig);
                entry.Def = newConfig;
            }
            if (newLive is not null)
            {
                entry.Live = newLive;
                _store.SaveStatus(newLive);
                _realiser.RefreshHosts(newLive);
            }
        }
    }

    /// <summary>virNetworkDefUpdateIPDHCPHost.</summary>
    private static NetworkDef UpdateDhcpHost(NetworkDef def, uint command, int parentIndex, string xml)
    {
        var element = NetworkXml.ReadElement(xml);
        if (element.Name != "host")
        {
            throw NetworkErrors.Xml($"unexpected element <{element.Name.LocalName}>, expecting <host>, while updating network '{def.Name}'");
        }
        int index = parentIndex >= 0 ? parentIndex
            : def.Ips.ToList().FindIndex(ip => ip.IsIPv4 && (ip.Ranges.Count > 0 || ip.Hosts.Count > 0)) is int withDhcp and >= 0 ? withDhcp
            : def.Ips.ToList().FindIndex(ip => ip.IsIPv4);
        if (index < 0 || index >= def.Ips.Count)
        {
            throw NetworkErrors.Invalid($"couldn't update dhcp host entry - no <ip> element found at index {parentIndex} in network '{def.Name}'");
        }
        NetworkIpDef ip = def.Ips[index];
        var hosts = ip.Hosts.ToList();
        switch (command)
        {
            case CommandAddFirst or CommandAddLast:
            {
                NetworkDhcpHost host = NetworkXml.ParseHost(def.Name, ip, element, partialOkay: false);
                if (hosts.FirstOrDefault(h => (host.Mac is not null && string.Equals(h.Mac, host.Mac, StringComparison.OrdinalIgnoreCase))
                    || (host.Name is not null && h.Name == host.Name) || (host.Ip is not null && host.Ip.Equals(h.Ip))) is { } clash)
                {
                    throw NetworkErrors.Invalid($"there is an existing dhcp host entry in network '{def.Name}' that matches \"{NetworkXml.FormatHost(clash).ToString().Replace('"', '\'')}\"");
                }
                hosts.Insert(command == CommandAddFirst ? 0 : hosts.Count, host);
                break;
            }
            case CommandDelete:
            {
                NetworkDhcpHost host = NetworkXml.ParseHost(def.Name, ip, element, partialOkay: true);
                int found = hosts.FindIndex(h => (host.Mac is null || string.Equals(h.Mac, host.Mac, StringComparison.OrdinalIgnoreCase))
                    && (host.Name is null || h.Name == host.Name) && (host.Ip is null || host.Ip.Equals(h.Ip)));
                if (found < 0)
                {
                    throw NetworkErrors.Invalid($"couldn't locate a matching dhcp host entry in network '{def.Name}'");
                }
                hosts.RemoveAt(found);
                break;
            }
            case CommandModify:
            {
                NetworkDhcpHost host = NetworkXml.ParseHost(def.Name, ip, element, partialOkay: false);
                int found = hosts.FindIndex(host.Matches);
                if (found < 0)
                {
                    string key = host.Mac is not null ? $"mac='{host.Mac}'" : $"name='{host.Name}'";
                    throw NetworkErrors.Invalid($"couldn't locate an existing dhcp host entry with \"{key}\" in network '{def.Name}'");
                }
                hosts[found] = host;
                break;
            }
            default:
                throw NetworkErrors.Internal($"unrecognized network update command code {command}");
        }
        var ips = def.Ips.ToArray();
        ips[index] = ip with { Hosts = hosts };
        return def with { Ips = ips };
    }
}
