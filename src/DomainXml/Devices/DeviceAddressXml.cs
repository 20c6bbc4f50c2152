using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary>A device's <c>&lt;address type='pci' domain bus slot function/&gt;</c>; attributes left out are 0.</summary>
internal static class DeviceAddressXml
{
    public static HostPciAddress? Pci(XElement device) =>
        device.Element(XmlNames.Address) is { } address && address.Attr(XmlNames.Type) == "pci"
            ? new HostPciAddress(address.UInt(XmlNames.Domain) ?? 0, address.UInt(XmlNames.Bus) ?? 0,
                address.UInt(XmlNames.Slot) ?? 0, address.UInt(XmlNames.Function) ?? 0)
            : null;
}
