using System.Globalization;
using System.Xml.Linq;

namespace Kvm.Driver.Domains;

/// <summary>
/// PCI addresses for the devices kvm-vmm puts on its PCI bus, given at define time as libvirt's QEMU driver gives them,
/// so the stored and the live XML show where each device sits: virtio disks, then virtio RNGs, in document order, each
/// in the first free slot of bus 0 from 0x02 (slot 0 is the host bridge; slot 1 is kept free, as on QEMU's pc machine
/// for its ISA bridge). Addresses the XML already gives are kept and their slots skipped. kvm-vmm follows the same
/// rule for a definition without addresses, so the two always agree.
/// </summary>
internal static class PciAddressAssignment
{
    private const int FirstSlot = 2;
    private const int Slots = 32;

    /// <summary>Adds the missing addresses to the document's devices; false when none was missing.</summary>
    public static bool Assign(XDocument document)
    {
        if (document.Root?.Element("devices") is not { } devices)
        {
            return false;
        }

        var needing = devices.Elements("disk").Where(IsVirtioDisk)
            .Concat(devices.Elements("rng").Where(r => (r.Attribute("model")?.Value ?? "virtio").StartsWith("virtio", StringComparison.Ordinal)))
            .Where(d => d.Element("address") is null)
            .ToList();
        if (needing.Count == 0)
        {
            return false;
        }

        var taken = new HashSet<int>();
        foreach (var address in devices.Descendants("address").Where(a => a.Attribute("type")?.Value == "pci"))
        {
            if (Number(address.Attribute("bus")?.Value) == 0 && Number(address.Attribute("slot")?.Value) is { } slot)
            {
                taken.Add(slot);
            }
        }

        int next = FirstSlot;
        foreach (var device in needing)
        {
            while (next < Slots && taken.Contains(next))
            {
                next++;
            }

            if (next >= Slots)
            {
                // No slot left: leave the device as it is; kvm-vmm refuses the domain with the reason at start.
                break;
            }

            device.Add(new XElement("address",
                new XAttribute("type", "pci"), new XAttribute("domain", "0x0000"), new XAttribute("bus", "0x00"),
                new XAttribute("slot", $"0x{next:x2}"), new XAttribute("function", "0x0")));
            taken.Add(next);
        }

        return true;
    }

    /// <summary>A disk on the virtio bus: bus='virtio', or no bus and a vdX target (libvirt's default).</summary>
    private static bool IsVirtioDisk(XElement disk)
    {
        var target = disk.Element("target");
        string? bus = target?.Attribute("bus")?.Value;
        string device = disk.Attribute("device")?.Value ?? "disk";
        return device == "disk" && (bus == "virtio" || (bus is null && (target?.Attribute("dev")?.Value.StartsWith("vd", StringComparison.Ordinal) ?? false)));
    }

    private static int? Number(string? text)
    {
        if (text is null)
        {
            return null;
        }

        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return int.TryParse(hex ? text[2..] : text, hex ? NumberStyles.HexNumber : NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value : null;
    }
}
