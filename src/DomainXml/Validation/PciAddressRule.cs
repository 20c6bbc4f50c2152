using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Every PCI address a device gives, and every host PCI address a hostdev names, is within PCI's limits; a zPCI
/// extension has a user-defined id in 1..0xffff (libvirt's virPCIDeviceAddressIsValid and
/// qemuValidateDomainDeviceDefZPCIAddress).
/// </summary>
internal sealed class PciAddressRule : IDomainRule
{
    /// <summary>The largest zPCI user-defined identifier (VIR_DOMAIN_DEVICE_ZPCI_MAX_UID).</summary>
    private const uint MaxZpciUid = 0xffff;

    public void Check(ValidationContext context)
    {
        if (context.Devices is not { } devices)
        {
            return;
        }

        foreach (var address in devices.Descendants(XmlNames.Address))
        {
            if (IsPciAddress(address))
            {
                CheckAddress(address);
            }
        }
    }

    /// <summary>A device's <c>&lt;address type='pci'&gt;</c>, or the host address in a PCI hostdev's source.</summary>
    private static bool IsPciAddress(XElement address)
    {
        if (address.Attr(XmlNames.Type) == "pci")
        {
            return true;
        }

        return address.Attr(XmlNames.Type) is null && address.Parent is { Name.LocalName: "source" } source
            && source.Parent is { Name.LocalName: "hostdev" } hostdev && hostdev.Attr(XmlNames.Type) == "pci";
    }

    private static void CheckAddress(XElement address)
    {
        var pci = PciAddress.Read(address);
        if (!pci.IsEmpty)
        {
            if (pci.Bus > 0xff)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid PCI address bus='0x{pci.Bus:x}', must be <= 0xFF", address, "bus");
            }

            if (pci.Slot > 0x1f)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid PCI address slot='0x{pci.Slot:x}', must be <= 0x1F", address, "slot");
            }

            if (pci.Function > 7)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Invalid PCI address function=0x{pci.Function:x}, must be <= 7",
                    address, "function");
            }
        }

        if (address.Element(XmlNames.Zpci) is { } zpci && zpci.UInt(XmlNames.Uid) is { } uid && (uid == 0 || uid > MaxZpciUid))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid PCI address uid='0x{uid:x4}', must be > 0x0000 and <= 0x{MaxZpciUid:x4}", zpci, "uid");
        }
    }
}
