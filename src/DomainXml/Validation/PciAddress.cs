using System.Xml.Linq;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>A PCI address as libvirt reads it from <c>&lt;address domain bus slot function&gt;</c> (virPCIDeviceAddress).</summary>
internal readonly record struct PciAddress(uint Domain, uint Bus, uint Slot, uint Function)
{
    /// <summary>Reads the address; an attribute left out is 0, as in libvirt.</summary>
    public static PciAddress Read(XElement address) => new(
        address.UInt(XmlNames.Domain) ?? 0, address.UInt(XmlNames.Bus) ?? 0, address.UInt(XmlNames.Slot) ?? 0, address.UInt(XmlNames.Function) ?? 0);

    /// <summary>All zero: libvirt treats the address as not given and assigns one.</summary>
    public bool IsEmpty => Domain == 0 && Bus == 0 && Slot == 0 && Function == 0;

    /// <summary>libvirt's virPCIDeviceAddressAsString: <c>0000:01:00.0</c>.</summary>
    public override string ToString() => $"{Domain:x4}:{Bus:x2}:{Slot:x2}.{Function:x1}";
}
