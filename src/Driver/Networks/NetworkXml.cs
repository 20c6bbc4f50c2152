using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Xml;
using System.Xml.Linq;
using Kvm.Driver.Api;

namespace Kvm.Driver.Networks;

/// <summary>
/// libvirt's network XML (network_conf.c, network.rng): parsed with libvirt's checks and messages into a
/// <see cref="NetworkDef"/>; formatting is in NetworkXml.Format.cs. Unknown content is kept as written.
/// </summary>
public static partial class NetworkXml
{
    private static readonly XmlReaderSettings s_settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 4 << 20,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    private static readonly HashSet<string> s_rootAttributes = ["connections"];
    private static readonly HashSet<string> s_modelled = ["name", "uuid", "forward", "bridge", "mtu", "mac", "domain", "ip"];

    public static XElement ReadElement(string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), s_settings);
            return XElement.Load(reader);
        }
        catch (XmlException e)
        {
            throw NetworkErrors.Xml(e.Message);
        }
    }

    /// <summary>virNetworkDefParseString: the network a document describes (a missing uuid is generated).</summary>
    public static NetworkDef Parse(string xml) => Parse(ReadElement(xml));

    public static NetworkDef Parse(XElement root)
    {
        if (root.Name != "network")
        {
            throw NetworkErrors.Xml($"unexpected root element <{root.Name.LocalName}>, expecting <network>");
        }
        string name = root.Element("name")?.Value ?? throw new Domains.DomainOperationException(NetworkErrors.NoName, "missing name information");
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new Domains.DomainOperationException(NetworkErrors.XmlDetail, "XML error: invalid char in name: /");
        }
        Guid uuid = Guid.NewGuid();
        if (root.Element("uuid") is { } uuidElement && !LibvirtUuid.TryParse(uuidElement.Value.Trim(), out uuid))
        {
            throw NetworkErrors.Internal("malformed uuid element");
        }

        XElement? bridge = root.Element("bridge");
        bool stp = (string?)bridge?.Attribute("stp") != "off";
        long delay = 0;
        if ((string?)bridge?.Attribute("delay") is { } delayText && !long.TryParse(delayText, NumberStyles.None, CultureInfo.InvariantCulture, out delay))
        {
            throw NetworkErrors.Xml($"Invalid delay value in network '{name}'");
        }
        string? mac = (string?)root.Element("mac")?.Attribute("address");
        if (mac is not null)
        {
            if (!TryParseMac(mac, out byte first))
            {
                throw NetworkErrors.Xml($"Invalid bridge mac address '{mac}' in network '{name}'");
            }
            if ((first & 1) != 0)
            {
                throw NetworkErrors.Xml($"Invalid multicast bridge mac address '{mac}' in network '{name}'");
            }
            mac = mac.ToLowerInvariant();
        }
        uint? mtu = null;
        if ((string?)root.Element("mtu")?.Attribute("size") is { } mtuText)
        {
            mtu = uint.TryParse(mtuText, NumberStyles.None, CultureInfo.InvariantCulture, out uint m) ? m
                : throw NetworkErrors.Xml($"Invalid mtu size '{mtuText}' in network '{name}'");
        }
        XElement? domain = root.Element("domain");
        bool? localOnly = (string?)domain?.Attribute("localOnly") switch
        {
            null => null,
            "yes" => true,
            "no" => false,
            string other => throw NetworkErrors.Xml($"Invalid value for attribute 'localOnly' in element 'domain': '{other}'."),
        };

        var ips = root.Elements("ip").Select(ip => ParseIp(name, ip)).ToArray();
        (NetworkForwardMode mode, string? dev, int? portStart, int? portEnd, XElement[] forwardChildren, XElement[] natChildren) = ParseForward(name, root.Element("forward"));
        XElement? forwardElement = root.Element("forward");

        var def = new NetworkDef(name, uuid, mode, dev, portStart, portEnd,
            (string?)bridge?.Attribute("name"), stp, delay, mtu, mac, (string?)domain?.Attribute("name"), localOnly, ips,
            root.Attributes().Where(a => !(s_rootAttributes.Contains(a.Name.LocalName) && a.Name.Namespace == XNamespace.None) && !IsDefaultNo(a)).Select(Copy).ToArray(),
            bridge?.Attributes().Where(a => a.Name.LocalName is not ("name" or "stp" or "delay") || a.Name.Namespace != XNamespace.None).Select(Copy).ToArray() ?? [],
            forwardElement?.Attributes().Where(a => a.Name.LocalName is not ("dev" or "mode") || a.Name.Namespace != XNamespace.None).Select(Copy).ToArray() ?? [],
            forwardChildren,
            forwardElement?.Element("nat")?.Attributes().Select(Copy).ToArray() ?? [],
            natChildren,
            root.Elements().Where(e => !s_modelled.Contains(e.Name.LocalName) || e.Name.Namespace != XNamespace.None).Select(e => new XElement(e)).ToArray());
        Validate(def);
        return def;
    }

    private static (NetworkForwardMode, string?, int?, int?, XElement[], XElement[]) ParseForward(string name, XElement? forward)
    {
        if (forward is null)
        {
            return (NetworkForwardMode.None, null, null, null, [], []);
        }
        string modeText = (string?)forward.Attribute("mode") ?? "nat";
        if (!NetworkForwardModes.TryParse(modeText, out NetworkForwardMode mode) || mode == NetworkForwardMode.None)
        {
            throw Domains.DomainErrors.ConfigUnsupported($"unknown forwarding type '{modeText}'");
        }
        string? dev = (string?)forward.Attribute("dev");
        var interfaces = forward.Elements("interface").Select(i => (string?)i.Attribute("dev")).ToArray();
        if (dev is null && interfaces.Length > 0)
        {
            dev = interfaces[0];
        }
        else if (dev is not null && interfaces.Length > 0 && interfaces[0] != dev)
        {
            throw NetworkErrors.Xml($"forward dev '{dev}' must match first interface element dev '{interfaces[0]}' in network '{name}'");
        }
        int? portStart = null, portEnd = null;
        XElement[] natChildren = [];
        if (forward.Element("nat") is { } nat)
        {
            if (mode != NetworkForwardMode.Nat)
            {
                throw NetworkErrors.Xml($"The <nat> element can only be used when <forward> 'mode' is 'nat' in network {name}");
            }
            if (nat.Element("port") is { } port)
            {
                portStart = ParsePort(name, (string?)port.Attribute("start"));
                portEnd = ParsePort(name, (string?)port.Attribute("end"));
                if (portStart is null || (portEnd is int end && end < portStart))
                {
                    throw NetworkErrors.Xml($"Invalid port range in network '{name}'");
                }
            }
            natChildren = nat.Elements().Where(e => e.Name != "port").Select(e => new XElement(e)).ToArray();
        }
        XElement[] others = forward.Elements().Where(e => e.Name.LocalName is not ("nat" or "interface")).Select(e => new XElement(e))
            .Concat(forward.Elements("interface").Skip(1).Select(e => new XElement(e))).ToArray();
        return (mode, dev, portStart, portEnd, others, natChildren);
    }

    private static int? ParsePort(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
            ? port : throw NetworkErrors.Xml($"Invalid port '{text}' in network '{name}'");
    }

    /// <summary>virMacAddrParse: six hex bytes separated by ':'; <paramref name="first"/> is the first byte.</summary>
    public static bool TryParseMac(string text, out byte first)
    {
        first = 0;
        string[] parts = text.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].Length is < 1 or > 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                return false;
            }
            if (i == 0)
            {
                first = b;
            }
        }
        return true;
    }

    private static XAttribute Copy(XAttribute a) => new(a);

    /// <summary>ipv6='no' is libvirt's default, which it does not write back.</summary>
    private static bool IsDefaultNo(XAttribute a) => a.Name == "ipv6" && a.Value == "no";
}
