using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Network interfaces: virtio-net ring sizes are powers of two and queue counts are numbers; vhost-user needs the
/// virtio-net frontend and a client-side socket to reconnect; passt is a user-mode backend and forwards ports; only an
/// ethernet tap can be unmanaged or have host-side addresses; failover teaming pairs a persistent virtio-net with a transient hostdev; guest-side addresses and
/// routes are user-mode networking's (virDomainNetDefValidate, qemuValidateDomainDeviceDefNetwork).
/// </summary>
internal sealed class InterfaceRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Interface];

    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        foreach (var nic in context.Devices?.Elements(XmlNames.Interface) ?? [])
        {
            string type = nic.Attr(XmlNames.Type) ?? "user";
            string? model = nic.Element(XmlNames.Model)?.Attr(XmlNames.Type);

            // Without a model, s390 and the virt machines of ARM and RISC-V get virtio-net (qemuDomainDefaultNetModel).
            bool virtio = model is "virtio" or "virtio-transitional" or "virtio-non-transitional"
                || (model is null && type != "hostdev" && (machine.IsS390 || machine.IsArmVirt || machine.Arch == "riscv64"));
            CheckDriver(nic.Element(XmlNames.Driver), virtio);
            CheckGeneric(nic, type, virtio);
            CheckTeaming(nic, type, virtio, model);
            CheckGuestIp(nic, type);
        }
    }

    private static void CheckDriver(XElement? driver, bool virtio)
    {
        if (driver is null)
        {
            return;
        }

        driver.UInt(XmlNames.Queues);
        foreach (string name in new[] { "rx_queue_size", "tx_queue_size" })
        {
            if (driver.UInt(name) is { } size and > 0 && virtio && (size & (size - 1)) != 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"{name} has to be a power of two", driver, name);
            }
        }

        if (!virtio && DiskBusRule.VirtioOption(driver) is { } option)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, DiskBusRule.VirtioOptionDetail(option), driver, option);
        }
    }

    private static void CheckGeneric(XElement nic, string type, bool virtio)
    {
        if (nic.Element(XmlNames.Source) is { } hostSide && (hostSide.Element(XmlNames.Ip) ?? hostSide.Element(XmlNames.Route)) is { } hostIp && type != "ethernet")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"Invalid attempt to set network interface host-side IP route and/or address info on interface of type '{type}'. " +
                "This is only supported on interfaces of type 'ethernet'", hostIp);
        }

        if (nic.Element(XmlNames.Target) is { } target && target.Attr(XmlNames.Managed) == "no" && type != "ethernet")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unmanaged target dev is not supported on interfaces of type '{type}'",
                target, "managed");
        }

        if (nic.Element(XmlNames.Backend) is { } backend && backend.Attr(XmlNames.Type) == "passt" && type != "user")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "The 'passt' backend can only be used with interface type='user'",
                backend, "type");
        }

        CheckPortForwards(nic, type);
        if (type != "vhostuser")
        {
            return;
        }

        if (!virtio)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError,
                "Wrong or no <model> 'type' attribute specified with <interface type='vhostuser'/>. vhostuser requires the " +
                "virtio-net* frontend", nic.Element(XmlNames.Model) ?? nic);
        }

        if (nic.Element(XmlNames.Source) is { } source && source.Attr(XmlNames.Mode) == "server"
            && source.Element(XmlNames.Reconnect)?.Attr(XmlNames.Enabled) == "yes")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "'reconnect' attribute unsupported 'server' mode for <interface type='vhostuser'>", source.Element(XmlNames.Reconnect));
        }
    }

    /// <summary>Port forwarding is passt's: a user-mode interface with the passt back end; a range starts somewhere.</summary>
    private static void CheckPortForwards(XElement nic, string type)
    {
        if (nic.Element(XmlNames.PortForward) is not { } first)
        {
            return;
        }

        if (type != "user" || nic.Element(XmlNames.Backend)?.Attr(XmlNames.Type) != "passt")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "The <portForward> element can only be used with <interface type='user'> and its 'passt' backend", first);
        }

        foreach (var range in nic.Elements(XmlNames.PortForward).SelectMany(p => p.Elements(XmlNames.Range)))
        {
            if (range.Attr(XmlNames.Start) is null && (range.Attr(XmlNames.End) ?? range.Attr(XmlNames.To) ?? range.Attr(XmlNames.Exclude)) is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "The 'range' of a 'portForward' requires 'start' attribute if 'end', 'to', or 'exclude' is specified", range);
            }
        }
    }

    private static void CheckTeaming(XElement nic, string type, bool virtio, string? model)
    {
        if (nic.Element(XmlNames.Teaming) is not { } teaming)
        {
            return;
        }

        string? teamingType = teaming.Attr(XmlNames.Type);
        if (teamingType == "transient" && teaming.Attr(XmlNames.Persistent) is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "teaming persistent attribute must be set if teaming type is 'transient'",
                teaming);
        }

        if (teamingType != "transient" && teaming.Attr(XmlNames.Persistent) is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"teaming persistent attribute not allowed if teaming type is '{teamingType}'", teaming, "persistent");
        }

        if (teamingType == "persistent" && !virtio)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"virtio-net teaming persistent interface must be <model type='virtio'/>, not '{model}'", teaming);
        }

        if (teamingType == "transient" && type is not ("hostdev" or "network"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"virtio-net teaming transient interface must be type='hostdev', not '{type}'", teaming);
        }
    }

    /// <summary>Addresses and routes the guest side is given: user-mode networking assigns them, nothing else can.</summary>
    private static void CheckGuestIp(XElement nic, string type)
    {
        var ips = nic.Elements(XmlNames.Ip).ToList();
        var route = nic.Element(XmlNames.Route);
        if (type == "user")
        {
            if (route is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "Invalid attempt to set network interface guest-side IP route, not supported by QEMU", route);
            }

            if (ips.FirstOrDefault(ip => ip.Attr(XmlNames.Peer) is not null) is { } peer)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Invalid attempt to set peer IP for guest", peer, "peer");
            }

            CheckUserIps(ips);
        }
        else if (type != "vdpa" && (route ?? ips.FirstOrDefault()) is { } first)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "Invalid attempt to set network interface guest-side IP route and/or address info, not supported by QEMU", first);
        }
    }

    /// <summary>One IPv4 address with a prefix of 4 to 27 and one IPv6 address with a prefix of 64 at most (qemuValidateDomainDeviceDefNetwork).</summary>
    private static void CheckUserIps(List<XElement> ips)
    {
        bool ipv4 = false, ipv6 = false;
        foreach (var ip in ips)
        {
            if (!System.Net.IPAddress.TryParse(ip.Attr(XmlNames.Address) ?? string.Empty, out var address))
            {
                continue; // the parser names it
            }

            uint prefix = uint.TryParse(ip.Attr(XmlNames.Prefix), out uint p) ? p : 0;
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                if (ipv4)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Only one IPv4 address per interface is allowed", ip);
                }

                ipv4 = true;
                if (prefix > 0 && prefix is < 4 or > 27)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "invalid prefix, must be in range of 4-27", ip, "prefix");
                }
            }
            else
            {
                if (ipv6)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Only one IPv6 address per interface is allowed", ip);
                }

                ipv6 = true;
                if (prefix != 0 && prefix != 64)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unsupported IPv6 address prefix='{prefix}' - must be 64", ip, "prefix");
                }
            }
        }
    }
}
