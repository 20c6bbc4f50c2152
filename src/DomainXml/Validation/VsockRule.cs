using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A vsock's guest context id (<c>&lt;cid address&gt;</c>) is 3 or more: 0 to 2 are the hypervisor's and the host's;
/// virtio options belong to the virtio models (virDomainVsockDefValidate).
/// </summary>
internal sealed class VsockRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Vsock];

    public void Check(ValidationContext context)
    {
        foreach (var vsock in context.Devices?.Elements(XmlNames.Vsock) ?? [])
        {
            if (vsock.Element(XmlNames.Cid) is { } cid && cid.UInt(XmlNames.Address) is { } address and > 0 and <= 2)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "guest CIDs must be >= 3", cid, "address");
            }

            if (vsock.Attr(XmlNames.Model) is { } model && !model.StartsWith("virtio", StringComparison.Ordinal)
                && vsock.Element(XmlNames.Driver) is { } driver && DiskBusRule.VirtioOption(driver) is { } option)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, DiskBusRule.VirtioOptionDetail(option), driver, option);
            }
        }
    }
}
