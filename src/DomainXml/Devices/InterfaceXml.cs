using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;interface&gt;</c>: type, MAC (generated when absent or all zero), source, model, target.</summary>
internal static class InterfaceXml
{
    private static readonly HashSet<string> s_types =
    [
        "user", "ethernet", "vhostuser", "server", "client", "mcast", "udp", "network", "bridge", "internal",
        "direct", "hostdev", "vdpa", "null", "vds", "passt",
    ];

    public static InterfaceDef Parse(XElement nic)
    {
        string type = nic.RequiredAttr(XmlNames.Type);
        if (!s_types.Contains(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown interface type '{type}'", nic, "type");
        }

        string? mac = null;
        if (nic.Element(XmlNames.Mac) is { } macElement && macElement.Attr(XmlNames.Address) is { } text)
        {
            if (!TryParseMac(text, out var bytes))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unable to parse mac address '{text}'", macElement, "address");
            }

            if ((bytes[0] & 1) != 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"expected unicast mac address, found multicast '{text}'", macElement, "address");
            }

            mac = bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0 ? null : FormatMac(bytes);
        }

        string? linkState = nic.Element(XmlNames.Link)?.Attr(XmlNames.State);
        if (linkState is not (null or "up" or "down"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"unknown interface link state '{linkState}'", nic.Element(XmlNames.Link), "state");
        }

        var source = nic.Element(XmlNames.Source);
        var target = nic.Element(XmlNames.Target);
        var driver = nic.Element(XmlNames.Driver);
        return new InterfaceDef
        {
            Type = type,
            Mac = mac,
            Source = type switch
            {
                "network" => source?.Attr(XmlNames.Network),
                "bridge" => source?.Attr(XmlNames.Bridge),
                "direct" or "ethernet" or "user" => source?.Attr(XmlNames.Dev),
                _ => null,
            },
            SourceBridge = type == "network" ? source?.Attr(XmlNames.Bridge) : null,
            Model = nic.Element(XmlNames.Model)?.Attr(XmlNames.Type),
            TargetDev = target?.Attr(XmlNames.Dev),
            TargetUnmanaged = target?.Attr(XmlNames.Managed) == "no",
            Mtu = nic.Element(XmlNames.Mtu)?.UInt(XmlNames.Size),
            LinkState = linkState,
            Script = nic.Element(XmlNames.Script)?.Attr(XmlNames.Path),
            DriverName = driver?.Attr(XmlNames.Name),
            Queues = driver?.UInt(XmlNames.Queues),
            BackendType = nic.Element(XmlNames.Backend)?.Attr(XmlNames.Type),
            BackendLogFile = nic.Element(XmlNames.Backend)?.Attr(XmlNames.LogFile),
            Ips = [.. nic.Elements(XmlNames.Ip).Select(GuestIp)],
            PortForwards = [.. nic.Elements(XmlNames.PortForward).Select(PortForward)],
            PciAddress = DeviceAddressXml.Pci(nic),
        };
    }

    /// <summary>
    /// <c>&lt;ip address family prefix&gt;</c> as virDomainNetIPParseXML reads it: a <c>family</c> of 'ipv4' or
    /// 'ipv6' says what the address must be (anything else: the address's own).
    /// </summary>
    private static GuestIpDef GuestIp(XElement ip)
    {
        string? text = ip.Attr(XmlNames.Address);
        if (text is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Missing required address in <ip>", ip, "address");
        }

        AddressFamily? family = ip.Attr(XmlNames.Family) switch
        {
            "ipv4" => AddressFamily.InterNetwork,
            "ipv6" => AddressFamily.InterNetworkV6,
            _ => null,
        };
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || (family is { } wanted && address.AddressFamily != wanted))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid address '{text}' in <ip>", ip, "address");
        }

        uint prefix = 0;
        if (ip.Attr(XmlNames.Prefix) is { } prefixText && (!uint.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
            || prefix > (address.AddressFamily == AddressFamily.InterNetwork ? 32u : 128u)))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid prefix value '{prefixText}' in <ip>", ip, "prefix");
        }

        return new GuestIpDef { Address = address, Prefix = prefix };
    }

    /// <summary><c>&lt;portForward&gt;</c> and its ranges as virDomainNetPortForwardDefParseXML reads them.</summary>
    private static PortForwardDef PortForward(XElement forward)
    {
        string proto = forward.RequiredAttr(XmlNames.Proto);
        if (proto is not ("tcp" or "udp"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid value for attribute 'proto' in element 'portForward': '{proto}'.", forward, "proto");
        }

        string? address = forward.Attr(XmlNames.Address);
        if (address is not null && !IPAddress.TryParse(address, out _))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid address '{address}' in <portForward>", forward, "address");
        }

        return new PortForwardDef
        {
            Proto = proto,
            Address = address,
            Dev = forward.Attr(XmlNames.Dev),
            Ranges = [.. forward.Elements(XmlNames.Range).Select(range => new PortForwardRangeDef
            {
                Start = Port(range, XmlNames.Start),
                End = Port(range, XmlNames.End),
                To = Port(range, XmlNames.To),
                Exclude = range.YesNo(XmlNames.Exclude),
            })],
        };
    }

    /// <summary>A non-zero port number (VIR_XML_PROP_NONZERO), or null when absent.</summary>
    private static uint? Port(XElement range, XName name)
    {
        uint? port = range.UInt(name);
        if (port == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid value for attribute '{name}' in element 'range': Zero is not permitted", range, name.LocalName);
        }

        return port;
    }

    /// <summary>Interfaces without a MAC, or with the all-zero one, get a generated 52:54:00 address.</summary>
    public static void AssignMacs(XElement devices, IMacAddressSource macs)
    {
        Span<byte> suffix = stackalloc byte[3];
        foreach (var nic in devices.Elements(XmlNames.Interface))
        {
            var macElement = nic.Element(XmlNames.Mac);
            string? text = macElement?.Attr(XmlNames.Address);
            if (text is not null && (!TryParseMac(text, out var bytes) || bytes.AsSpan().IndexOfAnyExcept((byte)0) >= 0))
            {
                // A real address stays; a malformed one is left for the parser to reject.
                continue;
            }

            macs.NextSuffix(suffix);
            string mac = FormatMac([0x52, 0x54, 0x00, suffix[0], suffix[1], suffix[2]]);
            if (macElement is null)
            {
                macElement = new XElement(XmlNames.Mac);
                nic.AddFirst(macElement);
            }

            macElement.Set(XmlNames.Address, mac);
        }
    }

    public static void Format(InterfaceDef nic, XElement element)
    {
        if (nic.Mac is not null)
        {
            element.Element(XmlNames.Mac)?.Set(XmlNames.Address, nic.Mac);
        }

        // virDomainNetIPInfoFormat: the address as inet_ntop writes it, its family always, a prefix only when not 0.
        foreach (var (ip, ipElement) in nic.Ips.Zip(element.Elements(XmlNames.Ip)))
        {
            ipElement.Set(XmlNames.Address, ip.Address.ToString());
            ipElement.Set(XmlNames.Family, ip.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4");
            ipElement.Set(XmlNames.Prefix, ip.Prefix == 0 ? null : ip.Prefix.ToString(CultureInfo.InvariantCulture));
        }

        // virDomainNetPortForwardsFormat: the address as inet_ntop writes it.
        foreach (var (forward, forwardElement) in nic.PortForwards.Zip(element.Elements(XmlNames.PortForward)))
        {
            if (forward.Address is { } address)
            {
                forwardElement.Set(XmlNames.Address, IPAddress.Parse(address).ToString());
            }
        }
    }

    internal static bool TryParseMac(string text, out byte[] bytes)
    {
        bytes = new byte[6];
        string[] parts = text.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }

        for (int i = 0; i < 6; i++)
        {
            if (parts[i].Length is < 1 or > 2
                || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        return true;
    }

    internal static string FormatMac(ReadOnlySpan<byte> b) =>
        string.Create(CultureInfo.InvariantCulture, $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}");
}
