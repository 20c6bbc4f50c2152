namespace Kvm.Driver.Networks;

/// <summary>The forward-mode rules of virNetworkDefParseXML and the DHCP rule of networkValidate.</summary>
public static partial class NetworkXml
{
    private static void Validate(NetworkDef def)
    {
        string mode = NetworkForwardModes.Name(def.Forward);
        switch (def.Forward)
        {
            case NetworkForwardMode.Nat or NetworkForwardMode.Route or NetworkForwardMode.Open:
                if (def.Ips.Count == 0)
                {
                    throw NetworkErrors.Xml($"{mode} forwarding requested, but no IP address provided for network '{def.Name}'");
                }
                if (def.ForwardChildren.Any(e => e.Name == "interface"))
                {
                    throw NetworkErrors.Xml($"multiple forwarding interfaces specified for network '{def.Name}', only one is supported");
                }
                if (def.Forward == NetworkForwardMode.Open && def.ForwardDev is not null)
                {
                    throw NetworkErrors.Xml($"forward dev not allowed for network '{def.Name}' with forward mode='{mode}'");
                }
                break;
            case NetworkForwardMode.None:
                break;
            default:
                if (def.Forward != NetworkForwardMode.Bridge && def.BridgeName is not null)
                {
                    throw NetworkErrors.Xml($"bridge name not allowed in {mode} mode (network '{def.Name}')");
                }
                if (def.Delay != 0 || def.BridgeAttributes.Any(a => a.Name == "zone"))
                {
                    throw NetworkErrors.Xml($"bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in {mode} (network '{def.Name}')");
                }
                if (def.BridgeName is not null && def.ForwardDev is not null)
                {
                    throw NetworkErrors.Xml($"A network with forward mode='{mode}' can specify a bridge name or a forward dev, but not both (network '{def.Name}')");
                }
                break;
        }
        if (def.Dns is { } dns && (string?)dns.Attribute("enable") == "no" && dns.HasElements)
        {
            throw NetworkErrors.Xml($"Extra data in disabled network '{def.Name}'");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (def.ForwardDev is not null)
        {
            seen.Add("interface dev=" + def.ForwardDev);
        }
        foreach (var device in def.ForwardChildren.Where(e => e.Name.LocalName is "address" or "interface"))
        {
            string key = string.Join(' ', device.Attributes().OrderBy(a => a.Name.LocalName, StringComparer.Ordinal).Select(a => $"{a.Name}={a.Value}"));
            if (!seen.Add(device.Name.LocalName + " " + key))
            {
                throw NetworkErrors.Xml($"forward {device.Name.LocalName} '{key}' is listed more than once in network '{def.Name}'");
            }
        }
        foreach (bool ipv4 in new[] { true, false })
        {
            if (def.Ips.Count(ip => ip.IsIPv4 == ipv4 && (ip.Ranges.Count > 0 || ip.Hosts.Count > 0)) > 1)
            {
                string family = ipv4 ? "IPv4" : "IPv6";
                throw Domains.DomainErrors.ConfigUnsupported($"Multiple {family} dhcp sections found -- dhcp is supported only for a single {family} address on each network");
            }
        }
    }
}
