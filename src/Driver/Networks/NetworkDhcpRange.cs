using System.Net;
using System.Xml.Linq;

namespace Kvm.Driver.Networks;

/// <summary>One &lt;dhcp&gt;&lt;range start end&gt;; its children (&lt;lease&gt;) are kept as written.</summary>
public sealed record NetworkDhcpRange(IPAddress Start, IPAddress End, IReadOnlyList<XElement> Children);
