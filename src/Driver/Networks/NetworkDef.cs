using System.Xml.Linq;

namespace Kvm.Driver.Networks;

/// <summary>
/// A libvirt network as kvmd keeps it (network_conf.h's virNetworkDef, the part NAT, routed, isolated and open
/// networks use). What the model does not cover is kept as written: other attributes of the root, &lt;bridge&gt;,
/// &lt;forward&gt; and &lt;nat&gt;, other children of &lt;forward&gt; and of the root (&lt;dns&gt;, &lt;route&gt;, &lt;portgroup&gt;, ...).
/// </summary>
public sealed record NetworkDef(
    string Name,
    Guid Uuid,
    NetworkForwardMode Forward,
    string? ForwardDev,
    int? NatPortStart,
    int? NatPortEnd,
    string? BridgeName,
    bool Stp,
    long Delay,
    uint? Mtu,
    string? Mac,
    string? DomainName,
    bool? DomainLocalOnly,
    IReadOnlyList<NetworkIpDef> Ips,
    IReadOnlyList<XAttribute> RootAttributes,
    IReadOnlyList<XAttribute> BridgeAttributes,
    IReadOnlyList<XAttribute> ForwardAttributes,
    IReadOnlyList<XElement> ForwardChildren,
    IReadOnlyList<XAttribute> NatAttributes,
    IReadOnlyList<XElement> NatChildren,
    IReadOnlyList<XElement> OtherChildren)
{
    /// <summary>&lt;dns&gt; as written, when there is one.</summary>
    public XElement? Dns => OtherChildren.FirstOrDefault(e => e.Name == "dns");

    public IEnumerable<NetworkIpDef> IPv4 => Ips.Where(ip => ip.IsIPv4);
}
