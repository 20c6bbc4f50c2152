using System.Xml.Linq;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A drive address as libvirt reads it from <c>&lt;address type='drive' controller bus target unit&gt;</c>
/// (virDomainDeviceDriveAddress): the place of a disk or SCSI host device on its controller.
/// </summary>
internal readonly record struct DriveAddress(uint Controller, uint Bus, uint Target, uint Unit)
{
    /// <summary>Reads the address; an attribute left out is 0, as in libvirt.</summary>
    public static DriveAddress Read(XElement address) => new(
        address.UInt(XmlNames.Controller) ?? 0, address.UInt(XmlNames.Bus) ?? 0, address.UInt(XmlNames.Target) ?? 0, address.UInt(XmlNames.Unit) ?? 0);

    /// <summary>The form libvirt's messages use: <c>controller='0' bus='0' target='0' unit='0'</c>.</summary>
    public override string ToString() => $"controller='{Controller}' bus='{Bus}' target='{Target}' unit='{Unit}'";
}
