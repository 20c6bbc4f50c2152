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
    public void Check(XElement domain, DomainDef definition)
    {
        foreach (var vsock in domain.Element("devices")?.Elements("vsock") ?? [])
        {
            if (vsock.Element("cid") is { } cid && cid.UInt("address") is { } address and > 0 and <= 2)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "guest CIDs must be >= 3", cid, "address");
            }

            if (vsock.Attr("model") is { } model && !model.StartsWith("virtio", StringComparison.Ordinal)
                && vsock.Element("driver") is { } driver && DiskBusRule.VirtioOption(driver) is { } option)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, DiskBusRule.VirtioOptionDetail(option), driver, option);
            }
        }
    }
}
