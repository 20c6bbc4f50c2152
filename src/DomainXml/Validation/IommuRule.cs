using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Each IOMMU model belongs to a platform: intel to Q35, smmuv3 to ARM virt, virtio to both, where it is a PCI
/// device described to the guest by ACPI (qemuValidateDomainDeviceDefIOMMU).
/// </summary>
internal sealed class IommuRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Iommu];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var machine = context.Machine;
        foreach (var iommu in context.Devices?.Elements(XmlNames.Iommu) ?? [])
        {
            string? model = iommu.Attr(XmlNames.Model);
            CheckDriver(domain, iommu, model);
            string? platform = model switch
            {
                "intel" when !machine.IsQ35 => "Q35 machines",
                "smmuv3" when !machine.IsArmVirt => "ARM Virt machines",
                "virtio" when !(machine.IsQ35 || machine.IsArmVirt) => "Q35 and ARM Virt machines",
                _ => null,
            };
            if (platform is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"IOMMU device: '{model}' is only supported with {platform}", iommu, "model");
            }

            if (model != "virtio")
            {
                continue;
            }

            var acpi = domain.Element(XmlNames.Features)?.Element(XmlNames.Acpi);
            if (acpi is null || acpi.Attr(XmlNames.State) == "off")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"IOMMU device: '{model}' requires ACPI", iommu);
            }

            if (iommu.Element(XmlNames.Address) is { } address && address.Attr(XmlNames.Type) is { } type && type != "pci")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"IOMMU device: '{model}' needs a PCI address", address, "type");
            }

            // virtio-iommu is an integrated device of the root bus (VIR_PCI_CONNECT_INTEGRATED).
            if (iommu.Element(XmlNames.Address) is { } pciAddress && PciAddress.Read(pciAddress) is { Bus: not 0 } pci)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                    $"The device at PCI address {pci} needs to be an integrated device (bus=0)", pciAddress);
            }
        }
    }

    /// <summary>
    /// Interrupt remapping, caching mode, extended interrupts, the IOTLB and address widths are Intel IOMMU settings;
    /// remapping needs QEMU's split I/O APIC and extended interrupts need remapping; only virtio-iommu has an address
    /// (virDomainIOMMUDefValidate, virDomainDefIOMMUValidate).
    /// </summary>
    private static void CheckDriver(XElement domain, XElement iommu, string? model)
    {
        var driver = iommu.Element(XmlNames.Driver);
        if (model is "smmuv3" or "virtio" && driver is not null
            && new[] { "intremap", "caching_mode", "eim", "iotlb", "aw_bits" }.Any(a => driver.Attr(a) is not null))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"iommu model '{model}' doesn't support additional attributes", driver);
        }

        if (model is "smmuv3" or "intel" && iommu.Element(XmlNames.Address) is { } address)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"iommu model '{model}' can't have address", address);
        }

        if (driver?.Attr(XmlNames.Intremap) == "on" && domain.Element(XmlNames.Features)?.Element(XmlNames.Ioapic)?.Attr(XmlNames.Driver) != "qemu")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')", driver, "intremap");
        }

        if (driver?.Attr(XmlNames.Eim) == "on" && driver.Attr(XmlNames.Intremap) != "on")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "IOMMU eim requires interrupt remapping to be enabled", driver, "eim");
        }
    }
}
