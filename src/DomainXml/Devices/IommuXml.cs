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
        var result = new IommuDef { Model = iommu.Enum("model", s_model, required: true)!.Value };
        if (iommu.Element("driver") is not { } driver)
        {
            return result;
        }

        return result with
        {
            IntRemap = driver.OnOff("intremap"),
            CachingMode = driver.OnOff("caching_mode"),
            Iotlb = driver.OnOff("iotlb"),
            Eim = driver.OnOff("eim"),
            AwBits = driver.UInt("aw_bits"),
            DmaTranslation = driver.OnOff("dma_translation"),
        };
    }
}
