using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Kvm.Driver.Api;

namespace Kvm.Driver.Networks;

/// <summary>virNetworkDefFormatBuf: libvirt's element order, with what the model does not cover in libvirt's place for it.</summary>
public static partial class NetworkXml
{
    // The root's children after <domain>, in virNetworkDefFormatBuf's order; others follow them as written.
    private static readonly string[] s_tailOrder = ["dns", "vlan", "bandwidth", "port", "ip", "route", "virtualport", "portgroup"];

    public static string Format(NetworkDef def, int connections = 0)
    {
        var root = new XElement("network");
        if (connections > 0)
        {
            root.Add(new XAttribute("connections", connections));
        }
        root.Add(def.RootAttributes.Select(a => new XAttribute(a)));
        root.Add(new XElement("name", def.Name), new XElement("uuid", LibvirtUuid.Format(def.Uuid)));
        root.Add(Other(def, "metadata"));
        if (def.Forward != NetworkForwardMode.None)
        {
            var forward = new XElement("forward");
            if (def.ForwardDev is not null)
            {
                forward.Add(new XAttribute("dev", def.ForwardDev));
            }
            forward.Add(new XAttribute("mode", NetworkForwardModes.Name(def.Forward)));
            forward.Add(def.ForwardAttributes.Select(a => new XAttribute(a)));
            forward.Add(def.ForwardChildren.Where(e => e.Name == "driver").Select(e => new XElement(e)));
            if (def.NatChildren.Count > 0 || def.NatAttributes.Count > 0 || def.NatPortStart is not null)
            {
                var nat = new XElement("nat", def.NatAttributes.Select(a => new XAttribute(a)), def.NatChildren.Select(e => new XElement(e)));
                if (def.NatPortStart is int start)
                {
                    var port = new XElement("port", new XAttribute("start", start));
                    if (def.NatPortEnd is int end)
                    {
                        port.Add(new XAttribute("end", end));
                    }
                    nat.Add(port);
                }
                forward.Add(nat);
            }
            forward.Add(def.ForwardChildren.Where(e => e.Name == "pf").Select(e => new XElement(e)));
            if (def.ForwardDev is not null)
            {
                forward.Add(new XElement("interface", new XAttribute("dev", def.ForwardDev)));
            }
            forward.Add(def.ForwardChildren.Where(e => e.Name.LocalName is not ("driver" or "pf")).Select(e => new XElement(e)));
            root.Add(forward);
        }
        bool managed = NetworkForwardModes.HasManagedBridge(def.Forward);
        if (managed || def.BridgeName is not null || def.BridgeAttributes.Count > 0)
        {
            var bridge = new XElement("bridge");
            if (def.BridgeName is not null)
            {
                bridge.Add(new XAttribute("name", def.BridgeName));
            }
            bridge.Add(def.BridgeAttributes.Where(a => a.Name == "zone").Select(a => new XAttribute(a)));
            if (managed)
            {
                bridge.Add(new XAttribute("stp", def.Stp ? "on" : "off"), new XAttribute("delay", def.Delay));
            }
            bridge.Add(def.BridgeAttributes.Where(a => a.Name != "zone").Select(a => new XAttribute(a)));
            root.Add(bridge);
        }
        if (def.Mtu is uint mtu)
        {
            root.Add(new XElement("mtu", new XAttribute("size", mtu)));
        }
        if (def.Mac is not null)
        {
            root.Add(new XElement("mac", new XAttribute("address", def.Mac)));
        }
        if (def.DomainName is not null)
        {
            var domain = new XElement("domain", new XAttribute("name", def.DomainName));
            if (def.DomainLocalOnly is bool local)
            {
                domain.Add(new XAttribute("localOnly", local ? "yes" : "no"));
            }
            root.Add(domain);
        }
        foreach (string name in s_tailOrder)
        {
            root.Add(name == "ip" ? def.Ips.Select(FormatIp) : Other(def, name));
        }
        root.Add(def.OtherChildren.Where(e => e.Name.LocalName != "metadata" && Array.IndexOf(s_tailOrder, e.Name.LocalName) < 0).Select(e => new XElement(e)));
        string text = Kvm.DomainXml.Canonical.CanonicalWriter.Write(root);
        // libvirt opens and closes every <ip>, even an empty one.
        return EmptyIp().Replace(text, "$1<ip$2>\n$1</ip>\n");
    }

    private static IEnumerable<XElement> Other(NetworkDef def, string name) =>
        def.OtherChildren.Where(e => e.Name.LocalName == name && e.Name.Namespace == XNamespace.None).Select(e => new XElement(e));

    private static XElement FormatIp(NetworkIpDef ip)
    {
        var element = new XElement("ip");
        if (ip.Family is not null)
        {
            element.Add(new XAttribute("family", ip.Family));
        }
        element.Add(new XAttribute("address", ip.Address.ToString()));
        if (ip.Netmask is not null)
        {
            element.Add(new XAttribute("netmask", ip.Netmask.ToString()));
        }
        if (ip.Prefix is int prefix)
        {
            element.Add(new XAttribute("prefix", prefix.ToString(CultureInfo.InvariantCulture)));
        }
        element.Add(ip.OtherAttributes.Select(a => new XAttribute(a)));
        element.Add(ip.OtherChildren.Select(e => new XElement(e)));
        if (ip.Ranges.Count > 0 || ip.Hosts.Count > 0 || ip.OtherDhcpChildren.Count > 0)
        {
            element.Add(new XElement("dhcp",
                ip.Ranges.Select(r => new XElement("range", new XAttribute("start", r.Start.ToString()), new XAttribute("end", r.End.ToString()),
                    r.Children.Select(e => new XElement(e)))),
                ip.Hosts.Select(FormatHost),
                ip.OtherDhcpChildren.Select(e => new XElement(e))));
        }
        return element;
    }

    internal static XElement FormatHost(NetworkDhcpHost host)
    {
        var element = new XElement("host");
        if (host.Mac is not null)
        {
            element.Add(new XAttribute("mac", host.Mac));
        }
        if (host.Id is not null)
        {
            element.Add(new XAttribute("id", host.Id));
        }
        if (host.Name is not null)
        {
            element.Add(new XAttribute("name", host.Name));
        }
        if (host.Ip is not null)
        {
            element.Add(new XAttribute("ip", host.Ip.ToString()));
        }
        element.Add(host.Children.Select(e => new XElement(e)));
        return element;
    }

    [GeneratedRegex(@"^( *)<ip( [^\n]*)?/>\n", RegexOptions.Multiline)]
    private static partial Regex EmptyIp();
}
