using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// PCI addresses written in the definition: each function of each slot holds one device, including the functions the
/// machine's chipset occupies (PIIX3's ISA bridge, IDE, USB and power management at 00:01.x on i440fx; the ICH9's
/// LPC bridge, SATA and SMBus at 00:1f.x on Q35, where the primary IDE, USB or SATA controller must sit); a
/// controller plugs into a bus that accepts its kind; and a slot exists on its bus — a root port or downstream port
/// has slot 0 only, and the root buses and PCI bridges keep slot 0 for themselves (qemuDomainCollectPCIAddress,
/// qemuDomainValidateDevicePCISlotsPIIX3/Q35, virDomainPCIAddressReserveAddrInternal, virDomainPCIAddressValidate,
/// virDomainPCIAddressBusSetModel).
/// </summary>
internal sealed class PciSlotRule : IDomainRule
{
    private const string PciDevice = "standard PCI device";
    private const string PcieDevice = "PCI Express device";

    /// <summary>What each bus accepts downstream (virDomainPCIAddressBusSetModel), by connection type.</summary>
    private static readonly Dictionary<string, string[]> s_accepts = new(StringComparer.Ordinal)
    {
        ["pci-root"] = [PciDevice, "pci-bridge", "pci-expander-bus"],
        ["pci-bridge"] = [PciDevice, "pci-bridge"],
        ["pci-expander-bus"] = [PciDevice, "pci-bridge"],
        ["pcie-root"] = [PcieDevice, "pcie-root-port", "dmi-to-pci-bridge", "pcie-expander-bus"],
        ["dmi-to-pci-bridge"] = [PciDevice, "pci-bridge"],
        ["pcie-to-pci-bridge"] = [PciDevice, "pci-bridge"],
        ["pcie-root-port"] = [PcieDevice, "pcie-switch-upstream-port", "pcie-to-pci-bridge"],
        ["pcie-switch-downstream-port"] = [PcieDevice, "pcie-switch-upstream-port", "pcie-to-pci-bridge"],
        ["pcie-switch-upstream-port"] = ["pcie-switch-downstream-port"],
        ["pcie-expander-bus"] = ["pcie-root-port", "dmi-to-pci-bridge"],
    };

    public void Check(ValidationContext context)
    {
        var definition = context.Definition;
        if (context.Devices is not { } devices)
        {
            return;
        }

        var machine = context.Machine;
        var buses = PciBuses(context.Controllers);
        var used = new HashSet<PciAddress>();
        foreach (var device in context.DeviceElements)
        {
            // A <console> of the serial kind describes the first <serial> again, address included; it holds no slot of its own.
            if (device.Name == XmlNames.Console || device.Element(XmlNames.Address) is not { } address
                || address.Attr(XmlNames.Type) != "pci" || PciAddress.Read(address) is var pci && pci.IsEmpty)
            {
                continue;
            }

            if (machine.IsI440fx && IsPiix3Function(device, pci))
            {
                continue;
            }

            if (BusModel(buses, pci.Bus, machine) is { } busModel)
            {
                CheckConnection(device, address, pci, busModel);
                CheckSlot(address, pci, busModel);
            }

            if (!used.Add(pci))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Attempted double use of PCI Address {pci}", address);
            }
        }

        if (machine.IsI440fx)
        {
            ReservePiix3(context, used);
        }
        else if (machine.IsQ35)
        {
            ReserveIch9(devices, used);
            CheckRootPortRoom(devices, used);
        }
    }

    /// <summary>
    /// pcie-root-ports without an address go to the root bus, eight to a slot (VIR_PCI_CONNECT_AGGREGATE_SLOT); the
    /// root bus has slots 1 to 30 besides the chipset's, less those other devices hold, and the primary video takes
    /// slot 1 when it has no address. Only the room this leaves is counted: endpoints that will need root ports of
    /// their own are not, so a definition is never refused for them.
    /// </summary>
    private static void CheckRootPortRoom(XElement devices, HashSet<PciAddress> used)
    {
        var unplaced = devices.Elements(XmlNames.Controller)
            .Where(c => c.Attr(XmlNames.Type) == "pci" && c.Attr(XmlNames.Model) == "pcie-root-port" && c.Element(XmlNames.Address) is null).ToList();
        if (unplaced.Count == 0)
        {
            return;
        }

        var rootPorts = devices.Elements(XmlNames.Controller).Where(c => c.Attr(XmlNames.Model) == "pcie-root-port")
            .Select(c => c.Element(XmlNames.Address)).OfType<XElement>().Select(PciAddress.Read).ToHashSet();
        var primaryVideo = devices.Elements(XmlNames.Video).FirstOrDefault();
        bool videoTakesSlot1 = primaryVideo is not null && primaryVideo.Element(XmlNames.Address) is null
            && primaryVideo.Element(XmlNames.Model)?.Attr(XmlNames.Type) is not ("none" or "ramfb");
        int room = 0;
        for (uint slot = 1; slot < 0x1f; slot++)
        {
            var functions = used.Where(a => a is { Domain: 0, Bus: 0 } && a.Slot == slot).ToList();
            if ((slot == 1 && videoTakesSlot1) || functions.Any(f => !rootPorts.Contains(f)))
            {
                continue;
            }

            room += 8 - functions.Count;
        }

        if (unplaced.Count > room)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError,
                "a PCI slot is needed to connect a PCI controller model='pcie-root-port', but none is available, and it cannot be " +
                "automatically added", unplaced[room]);
        }
    }

    /// <summary>The PCI controllers' indexes and models as written; a controller without an index has -1.</summary>
    private static List<(long Index, string? Model)> PciBuses(List<XElement> controllers)
    {
        var buses = new List<(long Index, string? Model)>();
        foreach (var controller in controllers)
        {
            if (controller.Attr(XmlNames.Type) == "pci")
            {
                buses.Add((controller.Int(XmlNames.Index) ?? -1, controller.Attr(XmlNames.Model)));
            }
        }

        return buses;
    }

    /// <summary>The model of the bus with this index: as written, or the machine's root bus for index 0.</summary>
    private static string? BusModel(List<(long Index, string? Model)> buses, uint index, MachineType machine)
    {
        foreach (var bus in buses)
        {
            if (bus.Index == index)
            {
                if (bus.Model is { } model)
                {
                    return model;
                }

                break;
            }
        }

        return index != 0 ? null : machine.IsQ35 ? "pcie-root" : machine.IsI440fx || machine.IsPSeries ? "pci-root" : null;
    }

    /// <summary>A PCI controller's kind against what its bus accepts; endpoints written by hand may mix PCI and PCIe.</summary>
    private static void CheckConnection(XElement device, XElement address, PciAddress pci, string busModel)
    {
        if (device.Name.LocalName != "controller" || device.Attr(XmlNames.Type) != "pci" || device.Attr(XmlNames.Model) is not { } model
            || model is "pci-root" or "pcie-root" || !s_accepts.TryGetValue(busModel, out string[]? accepts))
        {
            return;
        }

        bool endpoints = accepts.Contains(PciDevice) || accepts.Contains(PcieDevice);
        bool fits = accepts.Contains(model) || (model == "pci-bridge" && endpoints);
        if (!fits)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"The device at PCI address {pci} cannot be plugged into the PCI controller with index='{pci.Bus}'. " +
                $"It requires a controller that accepts a {model}.", address);
        }
    }

    private static void CheckSlot(XElement address, PciAddress pci, string busModel)
    {
        uint minSlot = busModel is "pci-root" or "pcie-root" or "pci-bridge" or "pcie-to-pci-bridge" ? 1u : 0u;
        uint maxSlot = busModel is "pcie-root-port" or "pcie-switch-downstream-port" ? 0u : 31u;
        if (minSlot > 0 && pci.Slot < minSlot)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid PCI address {pci}. slot must be >= {minSlot}", address, "slot");
        }

        if (pci.Slot > maxSlot)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid PCI address {pci}. slot must be <= {maxSlot}", address, "slot");
        }
    }

    /// <summary>The primary IDE controller at 00:01.1 and the PIIX3 USB controller at 00:01.2 are the chipset's own.</summary>
    private static bool IsPiix3Function(XElement device, PciAddress pci) =>
        pci is { Domain: 0, Bus: 0, Slot: 1 } && device.Name.LocalName == "controller" && (device.Int(XmlNames.Index) ?? 0) == 0
        && ((device.Attr(XmlNames.Type) == "ide" && pci.Function == 1) || (IsPiix3Usb(device) && pci.Function == 2));

    private static bool IsPiix3Usb(XElement controller) =>
        controller.Attr(XmlNames.Type) == "usb" && controller.Attr(XmlNames.Model) is null or "piix3-uhci";

    private static void ReservePiix3(ValidationContext context, HashSet<PciAddress> used)
    {
        var devices = context.Devices!;
        XElement? ide = null, usb = null;
        bool anyUsb = false;
        foreach (var controller in context.Controllers)
        {
            string? type = controller.Attr(XmlNames.Type);
            anyUsb |= type == "usb";
            if (type is "ide" or "usb" && (controller.Int(XmlNames.Index) ?? 0) == 0)
            {
                if (type == "ide")
                {
                    ide ??= controller;
                }
                else
                {
                    usb ??= controller;
                }
            }
        }

        bool ideDisks = context.Disks.Exists(d => d.ImpliesIdeController);

        if (ide is not null || ideDisks)
        {
            ReserveChipsetFunction(devices, ide, new PciAddress(0, 0, 1, 1), used, "Primary IDE controller must have PCI address 0:0:1.1");
        }

        if ((usb is not null && IsPiix3Usb(usb)) || !anyUsb)
        {
            ReserveChipsetFunction(devices, usb, new PciAddress(0, 0, 1, 2), used,
                "PIIX3 USB controller at index 0 must have PCI address 0:0:1.2");
        }

        Reserve(new PciAddress(0, 0, 1, 0), used, devices);
        Reserve(new PciAddress(0, 0, 1, 3), used, devices);
    }

    private static void ReserveIch9(XElement devices, HashSet<PciAddress> used)
    {
        var sata = devices.Elements(XmlNames.Controller).FirstOrDefault(c => c.Attr(XmlNames.Type) == "sata" && (c.Int(XmlNames.Index) ?? 0) == 0);
        if (sata?.Element(XmlNames.Address) is { } address && address.Attr(XmlNames.Type) == "pci" && PciAddress.Read(address) is var pci
            && !pci.IsEmpty && pci != new PciAddress(0, 0, 0x1f, 2))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "Primary SATA controller must have PCI address 0:0:1f.2", address);
        }

        Reserve(new PciAddress(0, 0, 0x1f, 0), used, devices);
        Reserve(new PciAddress(0, 0, 0x1f, 3), used, devices);
    }

    private static void ReserveChipsetFunction(XElement devices, XElement? controller, PciAddress expected, HashSet<PciAddress> used,
        string misplaced)
    {
        if (controller?.Element(XmlNames.Address) is { } address && address.Attr(XmlNames.Type) == "pci" && PciAddress.Read(address) is var pci
            && !pci.IsEmpty && pci != expected)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, misplaced, address);
        }

        Reserve(expected, used, devices);
    }

    private static void Reserve(PciAddress chipset, HashSet<PciAddress> used, XElement devices)
    {
        if (!used.Add(chipset))
        {
            var holder = devices.Elements().Select(d => d.Element(XmlNames.Address))
                .FirstOrDefault(a => a?.Attr(XmlNames.Type) == "pci" && PciAddress.Read(a) == chipset);
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Attempted double use of PCI Address {chipset}", holder);
        }
    }
}
