using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;

namespace Kvm.Driver.Networks;

/// <summary>&lt;ip&gt; and its DHCP ranges and static hosts (virNetworkIPDefParseXML, virNetworkDHCPRangeDefParseXML, virNetworkDHCPHostDefParseXML).</summary>
public static partial class NetworkXml
{
    private static NetworkIpDef ParseIp(string name, XElement ip)
    {
        string? family = (string?)ip.Attribute("family");
        string address = (string?)ip.Attribute("address") ?? throw NetworkErrors.Xml($"Missing required address attribute in network '{name}'");
        if (!IPAddress.TryParse(address, out IPAddress? parsed) || address.Contains('%', StringComparison.Ordinal))
        {
            throw NetworkErrors.Xml($"Invalid address '{address}' in network '{name}'");
        }
        string? netmaskText = (string?)ip.Attribute("netmask");
        IPAddress? netmask = null;
        if (netmaskText is not null && !IPAddress.TryParse(netmaskText, out netmask))
        {
            throw NetworkErrors.Xml($"Invalid netmask '{netmaskText}' in network '{name}'");
        }
        int? prefix = null;
        if ((string?)ip.Attribute("prefix") is { } prefixText)
        {
            prefix = int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p
                : throw NetworkErrors.Xml($"Invalid value for attribute 'prefix' in element 'ip': '{prefixText}'. Expected non-negative integer value");
        }
        if (family is null or "ipv4")
        {
            if (parsed.AddressFamily != AddressFamily.InterNetwork)
            {
                throw Domains.DomainErrors.ConfigUnsupported($"{family ?? "no"} family specified for non-IPv4 address '{address}' in network '{name}'");
            }
            if (netmask is not null)
            {
                if (netmask.AddressFamily != AddressFamily.InterNetwork)
                {
                    throw Domains.DomainErrors.ConfigUnsupported($"Invalid netmask '{netmaskText}' for address '{address}' in network '{name}' (both must be IPv4)");
                }
                if (prefix > 0)
                {
                    throw Domains.DomainErrors.ConfigUnsupported($"Network '{name}' IP address cannot have both a prefix and a netmask");
                }
                if (NetworkAddresses.PrefixOfNetmask(netmask) < 0)
                {
                    throw Domains.DomainErrors.ConfigUnsupported($"Invalid netmask '{netmaskText}' for address '{address}' in network '{name}'");
                }
            }
            else if (prefix > 32)
            {
                throw Domains.DomainErrors.ConfigUnsupported($"Invalid IPv4 prefix '{prefix}' in network '{name}'");
            }
        }
        else if (family == "ipv6")
        {
            if (parsed.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw Domains.DomainErrors.ConfigUnsupported($"Family 'ipv6' specified for non-IPv6 address '{address}' in network '{name}'");
            }
            if (netmask is not null)
            {
                throw Domains.DomainErrors.ConfigUnsupported($"netmask not allowed for IPv6 address '{address}' in network '{name}'");
            }
            if (prefix > 128)
            {
                throw Domains.DomainErrors.ConfigUnsupported($"Invalid IPv6 prefix '{prefix}' in network '{name}'");
            }
        }
        else
        {
            throw NetworkErrors.Xml($"Unrecognized family '{family}' in network '{name}'");
        }
        var def = new NetworkIpDef(family, parsed, netmask, prefix == 0 ? null : prefix, [], [],
            ip.Attributes().Where(a => a.Name.LocalName is not ("family" or "address" or "netmask" or "prefix") || a.Name.Namespace != XNamespace.None).Select(Copy).ToArray(),
            ip.Elements().Where(e => e.Name != "dhcp").Select(e => new XElement(e)).ToArray(),
            ip.Element("dhcp")?.Elements().Where(e => e.Name.LocalName is not ("range" or "host")).Select(e => new XElement(e)).ToArray() ?? []);
        XElement? dhcp = ip.Element("dhcp");
        if (dhcp is null)
        {
            return def;
        }
        var ranges = dhcp.Elements("range").Select(r => ParseRange(name, def, r)).ToArray();
        var hosts = dhcp.Elements("host").Select(h => ParseHost(name, def, h, partialOkay: false)).ToArray();
        return def with { Ranges = ranges, Hosts = hosts };
    }

    private static NetworkDhcpRange ParseRange(string name, NetworkIpDef ip, XElement range)
    {
        string start = (string?)range.Attribute("start") ?? throw NetworkErrors.Xml($"Missing 'start' attribute in dhcp range for network '{name}'");
        IPAddress startAddress = ParseAddress(start);
        string end = (string?)range.Attribute("end") ?? throw NetworkErrors.Xml($"Missing 'end' attribute in dhcp range for network '{name}'");
        IPAddress endAddress = ParseAddress(end);
        int prefix = ip.PrefixLength;
        string network = $"{ip.Address}/{prefix}";
        if (startAddress.AddressFamily != endAddress.AddressFamily || startAddress.AddressFamily != ip.Address.AddressFamily)
        {
            throw Domains.DomainErrors.InvalidArg($"start address '{start}' and end address '{end}' in network '{network}' must be the same address family");
        }
        if (!NetworkAddresses.SameSubnet(startAddress, ip.Address, prefix) || !NetworkAddresses.SameSubnet(endAddress, ip.Address, prefix))
        {
            throw Domains.DomainErrors.InvalidArg($"range {start} - {end} is not entirely within network {network}");
        }
        if (NetworkAddresses.ToNumber(endAddress) < NetworkAddresses.ToNumber(startAddress))
        {
            throw Domains.DomainErrors.InvalidArg($"range {start} - {end} is reversed ");
        }
        return new NetworkDhcpRange(startAddress, endAddress, range.Elements().Select(e => new XElement(e)).ToArray());
    }

    private static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out IPAddress? address) ? address : throw Domains.DomainErrors.InvalidArg($"Cannot parse address '{text}'");

    /// <summary>virNetworkDHCPHostDefParseXML; <paramref name="partialOkay"/> for virNetworkUpdate's delete (one attribute is enough).</summary>
    internal static NetworkDhcpHost ParseHost(string name, NetworkIpDef ip, XElement host, bool partialOkay)
    {
        string? mac = (string?)host.Attribute("mac");
        if (mac is not null)
        {
            if (!ip.IsIPv4)
            {
                throw NetworkErrors.Xml($"Invalid to specify MAC address '{mac}' in network '{name}' IPv6 static host definition");
            }
            if (!TryParseMac(mac, out byte first))
            {
                throw NetworkErrors.Xml($"Cannot parse MAC address '{mac}' in network '{name}'");
            }
            if ((first & 1) != 0)
            {
                throw NetworkErrors.Xml($"expected unicast mac address, found multicast '{mac}' in network '{name}'");
            }
        }
        string? id = (string?)host.Attribute("id");
        if (id?.FirstOrDefault(c => !char.IsAsciiHexDigit(c) && c != ':') is char bad and not '\0')
        {
            throw NetworkErrors.Xml($"Invalid character '{bad}' in id '{id}' of network '{name}'");
        }
        string? hostName = (string?)host.Attribute("name");
        if (hostName is not null && (hostName.Length == 0 || !char.IsAsciiLetterOrDigit(hostName[0])))
        {
            throw NetworkErrors.Xml($"Cannot use host name '{hostName}' in network '{name}'");
        }
        string? ipText = (string?)host.Attribute("ip");
        IPAddress? address = null;
        if (ipText is not null && !IPAddress.TryParse(ipText, out address))
        {
            throw NetworkErrors.Xml($"Invalid IP address in static host definition for network '{name}'");
        }
        if (partialOkay)
        {
            if (mac is null && hostName is null && ipText is null)
            {
                throw NetworkErrors.Xml($"At least one of name, mac, or ip attribute must be specified for static host definition in network '{name}' ");
            }
        }
        else
        {
            if (!ip.IsIPv4 && id is null && hostName is null)
            {
                throw NetworkErrors.Xml($"Static host definition in IPv6 network '{name}' must have id or name attribute");
            }
            if (ip.IsIPv4 && mac is null && hostName is null)
            {
                throw NetworkErrors.Xml($"Static host definition in IPv4 network '{name}' must have mac or name attribute");
            }
            if (address is null)
            {
                throw NetworkErrors.Xml($"Missing IP address in static host definition for network '{name}'");
            }
        }
        return new NetworkDhcpHost(mac, id, hostName, address, host.Elements().Select(e => new XElement(e)).ToArray());
    }
}
