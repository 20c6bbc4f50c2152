using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Drive addresses: each place on a disk controller holds one device — two disks on one bus, two SCSI host devices,
/// or a SCSI host device and a SCSI disk cannot share controller, bus, target and unit
/// (virDomainDefDuplicateDriveAddressesValidate) — and the place exists on the controller the bus has
/// (qemuValidateDomainDeviceDefAddressDrive: one IDE and one floppy controller, one bus per SCSI, SATA and floppy
/// controller, target 0 except on SCSI).
/// </summary>
internal sealed class DriveAddressRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        if (domain.Element("devices") is not { } devices)
        {
            return;
        }

        var disks = DiskTargetRule.LibvirtOrder(devices.Elements("disk").ToList())
            .Select(d => (Disk: d, Bus: DiskTarget.Bus(d), Address: DiskTarget.AddressOf(d)))
            .Where(d => d.Address is not null)
            .ToList();
        foreach (var (disk, bus, address) in disks)
        {
            if (disk.Element("address") is { } written && written.Attr("type") == "drive")
            {
                CheckLimits(written, bus, devices);
            }
        }

        var hostdevs = devices.Elements("hostdev")
            .Where(h => h.Attr("type") == "scsi" && h.Element("address")?.Attr("type") == "drive")
            .Select(h => (Hostdev: h, Address: DriveAddress.Read(h.Element("address")!)))
            .ToList();
        foreach (var (hostdev, _) in hostdevs)
        {
            CheckLimits(hostdev.Element("address")!, "scsi", devices);
        }

        for (int i = 0; i < disks.Count; i++)
        {
            for (int j = i + 1; j < disks.Count; j++)
            {
                if (disks[i].Bus == disks[j].Bus && disks[i].Address == disks[j].Address)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                        $"Found duplicate drive address for disk with target name '{disks[i].Disk.Element("target")!.Attr("dev")}' " +
                        disks[i].Address!.Value, disks[j].Disk.Element("address") ?? disks[j].Disk.Element("target"));
                }
            }
        }

        for (int i = 0; i < hostdevs.Count; i++)
        {
            var address = hostdevs[i].Address;
            if (disks.Any(d => d.Bus == "scsi" && d.Address == address))
            {
                // Found while libvirt post-parses the host device, after the disks got their addresses.
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"SCSI host address {address} in use by a SCSI disk",
                    hostdevs[i].Hostdev.Element("address"));
            }

            if (hostdevs.Skip(i + 1).Any(h => h.Address == address))
            {
                // libvirt prints the bus where it names the controller and the controller where it names the bus.
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"SCSI host address controller='{address.Bus}' bus='{address.Controller}' target='{address.Target}' " +
                    $"unit='{address.Unit}' in use by another SCSI host device", hostdevs[i].Hostdev.Element("address"));
            }
        }
    }

    private static void CheckLimits(XElement element, string bus, XElement devices)
    {
        var address = DriveAddress.Read(element);
        (DomainXmlErrorKind Kind, string Detail, string Attribute)? error = bus switch
        {
            "scsi" when address.Bus != 0 => (DomainXmlErrorKind.InternalError, "SCSI controller only supports 1 bus", "bus"),
            "scsi" when address.Target != 0 && ScsiModel(devices, address.Controller) == "lsilogic" =>
                (DomainXmlErrorKind.ConfigUnsupported, "target must be 0 for controller model 'lsilogic'", "target"),
            "ide" when address.Controller != 0 => (DomainXmlErrorKind.InternalError, "Only 1 IDE controller is supported", "controller"),
            "ide" when address.Target != 0 => (DomainXmlErrorKind.ConfigUnsupported, "target must be 0 for ide controller", "target"),
            "fdc" when address.Controller != 0 => (DomainXmlErrorKind.InternalError, "Only 1 fdc controller is supported", "controller"),
            "fdc" when address.Bus != 0 => (DomainXmlErrorKind.InternalError, "Only 1 fdc bus is supported", "bus"),
            "fdc" when address.Target != 0 => (DomainXmlErrorKind.ConfigUnsupported, "target must be 0 for controller fdc", "target"),
            "sata" when address.Bus != 0 => (DomainXmlErrorKind.ConfigUnsupported, "bus must be 0 for sata controller", "bus"),
            "sata" when address.Target != 0 => (DomainXmlErrorKind.ConfigUnsupported, "target must be 0 for sata controller", "target"),
            _ => null,
        };
        if (error is { } e)
        {
            ThrowHelper.Throw(e.Kind, e.Detail, element, e.Attribute);
        }
    }

    /// <summary>The model of the SCSI controller with the given index, as written.</summary>
    private static string? ScsiModel(XElement devices, uint index) =>
        devices.Elements("controller").FirstOrDefault(c => c.Attr("type") == "scsi" && (c.UInt("index") ?? 0) == index)?.Attr("model");
}
