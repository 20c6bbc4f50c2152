using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;memballoon&gt;</c> (virDomainMemballoonDefParseXML).</summary>
internal static class MemballoonXml
{
    internal static readonly XmlEnum<MemballoonModel> s_model = new(
        (MemballoonModel.Virtio, "virtio"),
        (MemballoonModel.Xen, "xen"),
        (MemballoonModel.None, "none"),
        (MemballoonModel.VirtioTransitional, "virtio-transitional"),
        (MemballoonModel.VirtioNonTransitional, "virtio-non-transitional"));

    public static MemballoonDef Parse(XElement balloon) => new()
    {
        Model = balloon.Enum(XmlNames.Model, s_model, required: true)!.Value,
        Autodeflate = balloon.OnOff(XmlNames.Autodeflate),
        FreePageReporting = balloon.OnOff(XmlNames.FreePageReporting),
        StatsPeriod = balloon.Element(XmlNames.Stats)?.Int(XmlNames.Period) is { } period ? Math.Max(period, 0) : null,
        PciAddress = DeviceAddressXml.Pci(balloon),
    };
}
