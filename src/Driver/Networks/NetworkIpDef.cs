using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;

namespace Kvm.Driver.Networks;

/// <summary>
/// One &lt;ip&gt; of a network: the host's address on the bridge, its netmask or prefix as written, DHCP ranges and
/// static hosts; other children (&lt;tftp&gt;, &lt;dhcp&gt;&lt;bootp&gt;) and attributes are kept as written.
/// </summary>
public sealed record NetworkIpDef(
    string? Family,
    IPAddress Address,
    IPAddress? Netmask,
    int? Prefix,
    IReadOnlyList<NetworkDhcpRange> Ranges,
    IReadOnlyList<NetworkDhcpHost> Hosts,
    IReadOnlyList<XAttribute> OtherAttributes,
    IReadOnlyList<XElement> OtherChildren,
    IReadOnlyList<XElement> OtherDhcpChildren)
{
    public bool IsIPv4 => Address.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>virNetworkIPDefPrefix: the prefix, else the netmask's, else IPv4's class (A /8, B /16, C /24) or 64 for IPv6.</summary>
    public int PrefixLength
    {
        get
        {
            if (Prefix is int prefix)
            {
                return prefix;
            }
            if (Netmask is not null)
            {
                return NetworkAddresses.PrefixOfNetmask(Netmask);
            }
            if (!IsIPv4)
            {
                return 64;
            }
            byte first = Address.GetAddressBytes()[0];
            return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 0;
        }
    }
}
