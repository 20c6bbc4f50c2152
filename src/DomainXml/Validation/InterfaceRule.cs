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
    public void Check(XElement domain, DomainDef definition)
    {
        var machine = MachineType.Of(domain);
        foreach (var nic in domain.Element("devices")?.Elements("interface") ?? [])
        {
            string type = nic.Attr("type") ?? "user";
            string? model = nic.Element("model")?.Attr("type");

            // Without a model, s390 and the virt machines of ARM and RISC-V get virtio-net (qemuDomainDefaultNetModel).
            bool virtio = model is "virtio" or "virtio-transitional" or "virtio-non-transitional"
                || (model is null && type != "hostdev" && (machine.IsS390 || machine.IsArmVirt || machine.Arch == "riscv64"));
            CheckDriver(nic.Element("driver"), virtio);
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

        driver.UInt("queues");
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
        if (nic.Element("source") is { } hostSide && (hostSide.Element("ip") ?? hostSide.Element("route")) is { } hostIp && type != "ethernet")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"Invalid attempt to set network interface host-side IP route and/or address info on interface of type '{type}'. " +
                "This is only supported on interfaces of type 'ethernet'", hostIp);
        }

        if (nic.Element("target") is { } target && target.Attr("managed") == "no" && type != "ethernet")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unmanaged target dev is not supported on interfaces of type '{type}'",
                target, "managed");
        }

        if (nic.Element("backend") is { } backend && backend.Attr("type") == "passt" && type != "user")
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
                "virtio-net* frontend", nic.Element("model") ?? nic);
        }

        if (nic.Element("source") is { } source && source.Attr("mode") == "server"
            && source.Element("reconnect")?.Attr("enabled") == "yes")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "'reconnect' attribute unsupported 'server' mode for <interface type='vhostuser'>", source.Element("reconnect"));
        }
    }

    /// <summary>Port forwarding is passt's: a user-mode interface with the passt back end; a range starts somewhere.</summary>
    private static void CheckPortForwards(XElement nic, string type)
    {
        if (nic.Element("portForward") is not { } first)
        {
            return;
        }

        if (type != "user" || nic.Element("backend")?.Attr("type") != "passt")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "The <portForward> element can only be used with <interface type='user'> and its 'passt' backend", first);
        }

        foreach (var range in nic.Elements("portForward").SelectMany(p => p.Elements("range")))
        {
            if (range.Attr("start") is null && (range.Attr("end") ?? range.Attr("to") ?? range.Attr("exclude")) is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "The 'range' of a 'portForward' requires 'start' attribute if 'end', 'to', or 'exclude' is specified", range);
            }
        }
    }

    private static void CheckTeaming(XElement nic, string type, bool virtio, string? model)
    {
        if (nic.Element("teaming") is not { } teaming)
        {
            return;
        }

        string? teamingType = teaming.Attr("type");
        if (teamingType == "transient" && teaming.Attr("persistent") is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "teaming persistent attribute must be set if teaming type is 'transient'",
                teaming);
        }

        if (teamingType != "transient" && teaming.Attr("persistent") is not null)
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
        var ips = nic.Elements("ip").ToList();
        var route = nic.Element("route");
        if (type == "user")
        {
            if (route is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "Invalid attempt to set network interface guest-side IP route, not supported by QEMU", route);
            }

            if (ips.FirstOrDefault(ip => ip.Attr("peer") is not null) is { } peer)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Invalid attempt to set peer IP for guest", peer, "peer");
            }
        }
        else if (type != "vdpa" && (route ?? ips.FirstOrDefault()) is { } first)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "Invalid attempt to set network interface guest-side IP route and/or address info, not supported by QEMU", first);
        }
    }
}
