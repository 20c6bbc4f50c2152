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
    public void Check(XElement domain, DomainDef definition)
    {
        var machine = MachineType.Of(domain);
        foreach (var iommu in domain.Element("devices")?.Elements("iommu") ?? [])
        {
            string? model = iommu.Attr("model");
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

            var acpi = domain.Element("features")?.Element("acpi");
            if (acpi is null || acpi.Attr("state") == "off")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"IOMMU device: '{model}' requires ACPI", iommu);
            }

            if (iommu.Element("address") is { } address && address.Attr("type") is { } type && type != "pci")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"IOMMU device: '{model}' needs a PCI address", address, "type");
            }
        }
    }
}
