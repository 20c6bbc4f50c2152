using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// zPCI (<c>&lt;zpci uid fid&gt;</c> in a PCI address) is how s390 guests see PCI functions, so only s390 guests have it,
/// and each user-defined id (uid) and function id (fid) belongs to one device (qemuValidateDomainDeviceDefZPCIAddress,
/// virDomainZPCIAddressReserveId).
/// </summary>
internal sealed class ZpciRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Zpci];

    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        var uids = new HashSet<uint>();
        var fids = new HashSet<uint>();
        foreach (var zpci in context.DeviceElements.Select(d => d.Element(XmlNames.Address))
                     .Where(a => a?.Attr(XmlNames.Type) == "pci").Select(a => a!.Element(XmlNames.Zpci)).OfType<XElement>())
        {
            if (!machine.IsS390)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "This QEMU binary doesn't support zPCI", zpci);
            }

            Reserve(zpci, "uid", uids);
            Reserve(zpci, "fid", fids);
        }
    }

    private static void Reserve(XElement zpci, string name, HashSet<uint> set)
    {
        if (zpci.UInt(name) is { } id && !set.Add(id))
        {
            // libvirt prints the id in octal.
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError,
                $"zPCI {name} {Convert.ToString(id, 8)} is already reserved", zpci, name);
        }
    }
}
