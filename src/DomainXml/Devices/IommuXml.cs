using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;iommu model&gt;&lt;driver .../&gt;</c> (virDomainIOMMUDefParseXML, plus dma_translation of libvirt 10.x).</summary>
internal static class IommuXml
{
    internal static readonly XmlEnum<IommuModel> s_model = new(
        (IommuModel.Intel, "intel"),
        (IommuModel.Smmuv3, "smmuv3"),
        (IommuModel.Virtio, "virtio"));

    public static IommuDef Parse(XElement iommu)
    {
        var result = new IommuDef { Model = iommu.Enum(XmlNames.Model, s_model, required: true)!.Value };
        if (iommu.Element(XmlNames.Driver) is not { } driver)
        {
            return result;
        }

        return result with
        {
            IntRemap = driver.OnOff(XmlNames.Intremap),
            CachingMode = driver.OnOff(XmlNames.CachingMode),
            Iotlb = driver.OnOff(XmlNames.Iotlb),
            Eim = driver.OnOff(XmlNames.Eim),
            AwBits = driver.UInt(XmlNames.AwBits),
            DmaTranslation = driver.OnOff(XmlNames.DmaTranslation),
        };
    }
}
