using System.Net;
using System.Xml.Linq;

namespace Kvm.Driver.Networks;

/// <summary>One static &lt;dhcp&gt;&lt;host mac id name ip&gt;; its children (&lt;lease&gt;) are kept as written.</summary>
public sealed record NetworkDhcpHost(string? Mac, string? Id, string? Name, IPAddress? Ip, IReadOnlyList<XElement> Children)
{
    /// <summary>The same host for virNetworkUpdate's delete and modify: a matching MAC (IPv4) or id/name, and IP.</summary>
    public bool Matches(NetworkDhcpHost other) =>
        (Mac is not null && string.Equals(Mac, other.Mac, StringComparison.OrdinalIgnoreCase))
        || (Mac is null && Name is not null && Name == other.Name)
        || (Mac is null && Name is null && Ip is not null && Ip.Equals(other.Ip));
}
