using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A disk on an IDE, floppy, SCSI or SATA bus sits on its controller, so an address it gives is a drive address
/// (virDomainDiskAddressDiskBusCompatibility). Other buses are checked by the address rules of their own kind.
/// </summary>
internal sealed class DiskAddressRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        foreach (var disk in context.Devices?.Elements(XmlNames.Disk) ?? [])
        {
            if (disk.Element(XmlNames.Address) is not { } address || address.Attr(XmlNames.Type) is not { } type || type == "drive")
            {
                continue;
            }

            var target = disk.Element(XmlNames.Target);
            string? dev = target?.Attr(XmlNames.Dev);
            string bus = target?.Attr(XmlNames.Bus) ?? DefaultBus(disk.Attr(XmlNames.Device), dev);
            if (bus is "ide" or "fdc" or "scsi" or "sata")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"Invalid address type '{type}' for the disk '{dev}' with the bus type '{bus}'", address, "type");
            }
        }
    }

    /// <summary>The bus libvirt derives from the device and target name when none is given (virDomainDiskDefPostParse).</summary>
    private static string DefaultBus(string? device, string? dev)
    {
        if (device == "floppy")
        {
            return "fdc";
        }

        dev ??= string.Empty;
        return dev.StartsWith("sd", StringComparison.Ordinal) ? "scsi"
            : dev.StartsWith("vd", StringComparison.Ordinal) ? "virtio"
            : dev.StartsWith("xvd", StringComparison.Ordinal) ? "xen"
            : dev.StartsWith("ubd", StringComparison.Ordinal) ? "uml"
            : "ide";
    }
}
