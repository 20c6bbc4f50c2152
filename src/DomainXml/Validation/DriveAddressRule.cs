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
    public void Check(ValidationContext context)
    {
        if (context.Devices is not { } devices)
        {
            return;
        }

        var disks = new List<DiskPlacement>();
        foreach (var disk in context.DisksInLibvirtOrder)
        {
            if (disk.DriveAddress is not null)
            {
                disks.Add(disk);
                if (disk.Address is { } written && written.Attr(XmlNames.Type) == "drive")
                {
                    CheckLimits(written, disk.Bus, devices);
                }
            }
        }

        var hostdevs = new List<(XElement Address, DriveAddress Drive)>();
        foreach (var device in context.DeviceElements)
        {
            if (device.Name == XmlNames.Hostdev && device.Attr(XmlNames.Type) == "scsi" && device.Element(XmlNames.Address) is { } a
                && a.Attr(XmlNames.Type) == "drive")
            {
                hostdevs.Add((a, DriveAddress.Read(a)));
                CheckLimits(a, "scsi", devices);
            }
        }

        for (int i = 0; i < disks.Count; i++)
        {
            for (int j = i + 1; j < disks.Count; j++)
            {
                if (disks[i].Bus == disks[j].Bus && disks[i].DriveAddress == disks[j].DriveAddress)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                        $"Found duplicate drive address for disk with target name '{disks[i].Dev}' " + disks[i].DriveAddress!.Value,
                        disks[j].Address ?? disks[j].Target);
                }
            }
        }

        for (int i = 0; i < hostdevs.Count; i++)
        {
            var address = hostdevs[i].Drive;
            foreach (var disk in disks)
            {
                if (disk.Bus == "scsi" && disk.DriveAddress == address)
                {
                    // Found while libvirt post-parses the host device, after the disks got their addresses.
                    ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"SCSI host address {address} in use by a SCSI disk",
                        hostdevs[i].Address);
                }
            }

            for (int j = i + 1; j < hostdevs.Count; j++)
            {
                if (hostdevs[j].Drive == address)
                {
                    // libvirt prints the bus where it names the controller and the controller where it names the bus.
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                        $"SCSI host address controller='{address.Bus}' bus='{address.Controller}' target='{address.Target}' " +
                        $"unit='{address.Unit}' in use by another SCSI host device", hostdevs[i].Address);
                }
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
        devices.Elements(XmlNames.Controller).FirstOrDefault(c => c.Attr(XmlNames.Type) == "scsi" && (c.UInt(XmlNames.Index) ?? 0) == index)?.Attr(XmlNames.Model);
}
