using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// USB addresses: a port is a path of at most four port numbers ("1.2.3.4"), and an address names a port that exists —
/// on a controller's root hub or on a USB hub at the path before it (libvirt's virDomainDeviceUSBAddressParsePort and
/// the USB address set of domain_addr.c: controllers first, then the hubs, then every other device).
/// </summary>
internal sealed class UsbAddressRule : IDomainRule
{
    /// <summary>VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH.</summary>
    private const int MaxPortDepth = 4;

    /// <summary>Ports of a usb-hub device (VIR_DOMAIN_USB_HUB_PORTS).</summary>
    private const int HubPorts = 8;

    public void Check(ValidationContext context)
    {
        if (!context.HasAddressType("usb"))
        {
            return;
        }

        if (context.Devices is not { } devices)
        {
            return;
        }

        var addressed = new List<(XElement Device, XElement Address, uint Bus, uint[] Port)>();
        foreach (var device in context.DeviceElements)
        {
            if (device.Element(XmlNames.Address) is { } address && address.Attr(XmlNames.Type) == "usb")
            {
                uint[] port = ParsePort(address);
                addressed.Add((device, address, address.UInt(XmlNames.Bus) ?? 0, port));
            }
        }

        if (addressed.Count == 0)
        {
            return;
        }

        var buses = BuildBuses(devices, context.Machine);

        // Only addresses that give a port are reserved; the others are assigned later.
        foreach (var (device, address, bus, port) in addressed)
        {
            if (device.Name.LocalName == "hub" && device.Attr(XmlNames.Type) == "usb" && port[0] != 0)
            {
                var (hub, target) = FindPort(buses, address, bus, port);
                if (!hub.Use(target, new Hub(HubPorts)))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Duplicate USB hub on bus {bus} port {Format(port)}", address);
                }
            }
        }

        foreach (var (device, address, bus, port) in addressed)
        {
            if (device.Name.LocalName != "hub" && port[0] != 0)
            {
                var (hub, target) = FindPort(buses, address, bus, port);
                if (!hub.Use(target, null))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Duplicate USB address bus {bus} port {Format(port)}", address);
                }
            }
        }
    }

    private static uint[] ParsePort(XElement address)
    {
        uint[] port = new uint[MaxPortDepth];
        if (address.Attr(XmlNames.Port) is not { } text)
        {
            return port;
        }

        string[] parts = text.Split('.');
        bool ok = parts.Length <= MaxPortDepth;
        for (int i = 0; ok && i < parts.Length; i++)
        {
            ok = parts[i].Length > 0 && uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out port[i]);
        }

        if (!ok)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Cannot parse <address> 'port' attribute", address, "port");
        }

        return port;
    }

    /// <summary>One root hub per controller index; companion controllers (no ports of their own) add none.</summary>
    private static Dictionary<uint, Hub> BuildBuses(XElement devices, MachineType machine)
    {
        var buses = new Dictionary<uint, Hub>();
        foreach (var controller in devices.Elements(XmlNames.Controller).Where(c => c.Attr(XmlNames.Type) == "usb"))
        {
            int ports = PortsOf(controller, machine);
            if (ports == 0)
            {
                continue;
            }

            uint index = controller.UInt(XmlNames.Index) ?? 0;
            if (!buses.TryAdd(index, new Hub(ports)))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Duplicate USB controllers with index {index}", controller, "index");
            }
        }

        return buses;
    }

    /// <summary>Root hub ports per model (virDomainUSBAddressControllerModelToPorts); int.MaxValue when not known here.</summary>
    private static int PortsOf(XElement controller, MachineType machine)
    {
        int? configured = controller.Int(XmlNames.Ports);
        return controller.Attr(XmlNames.Model) switch
        {
            // Without a model, an i440FX machine gets piix3-uhci; other machines' defaults depend on the emulator.
            null => machine.IsI440fx ? 2 : int.MaxValue,
            "piix3-uhci" or "piix4-uhci" or "vt82c686b-uhci" => 2,
            "ehci" or "ich9-ehci1" => 6,
            "ich9-uhci1" or "ich9-uhci2" or "ich9-uhci3" => 0,
            "pci-ohci" => 3,
            "nec-xhci" or "qemu-xhci" => configured ?? 4,
            "qusb1" or "qusb2" => configured ?? 8,
            "none" => 0,
            _ => int.MaxValue,
        };
    }

    /// <summary>Walks the port path through the hubs; returns the hub that holds the last port and its 0-based index.</summary>
    private static (Hub Hub, int Target) FindPort(Dictionary<uint, Hub> buses, XElement address, uint bus, uint[] port)
    {
        if (!buses.TryGetValue(bus, out var hub))
        {
            return ThrowHelper.Throw<(Hub, int)>(DomainXmlErrorKind.XmlError, $"Missing USB bus {bus}", address, "bus");
        }

        int last = MaxPortDepth - 1;
        while (last > 0 && port[last] == 0)
        {
            last--;
        }

        for (int i = 0; i < last; i++)
        {
            if (port[i] == 0 || port[i] > hub.Ports)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    $"port {port[i]} out of range in USB address bus: {bus} port: {Format(port)}", address, "port");
            }

            hub = hub.Child((int)port[i] - 1) ?? ThrowHelper.Throw<Hub>(DomainXmlErrorKind.XmlError,
                $"there is no hub at port {port[i]} in USB address bus: {bus} port: {Format(port)}", address, "port");
        }

        if (port[last] == 0 || port[last] > hub.Ports)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"requested USB port {Format(port)} not present on USB bus {bus}",
                address, "port");
        }

        return (hub, (int)port[last] - 1);
    }

    /// <summary>virDomainUSBAddressPortFormat: the non-zero port numbers joined with dots.</summary>
    private static string Format(uint[] port) => string.Join('.', port.TakeWhile(p => p != 0));

    /// <summary>A root hub or a usb-hub device: its port count, the ports in use and the hubs plugged into them.</summary>
    private sealed class Hub(int ports)
    {
        private readonly Dictionary<int, Hub?> _used = [];

        public int Ports { get; } = ports;

        public Hub? Child(int index) => _used.GetValueOrDefault(index);

        /// <summary>Takes a port for a device (or a hub); false when the port is taken already.</summary>
        public bool Use(int index, Hub? hub) => _used.TryAdd(index, hub);
    }
}
